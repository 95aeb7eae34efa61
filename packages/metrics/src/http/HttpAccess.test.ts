import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsRegistry } from '../MetricsRegistry';
import { basicAuthHeader, basicAuthMatches } from './HttpAccess';
import { MetricsHttpServer } from './MetricsHttpServer';

/** A self-signed certificate for 127.0.0.1, made with openssl for this test run. */
function selfSigned(dir: string): { cert: Buffer; key: Buffer } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
}

function get(
  url: string,
  ca: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
  });
}

describe('HttpAccess', () => {
  test('basicAuthMatches takes exactly the configured user and password', () => {
    const expected = { username: 'samsa', password: 'pa:ss word' };
    expect(basicAuthMatches(basicAuthHeader(expected), expected)).toBe(true);
    expect(basicAuthMatches(basicAuthHeader({ username: 'samsa', password: 'pa:ss wor' }), expected)).toBe(
      false,
    );
    expect(basicAuthMatches(basicAuthHeader({ username: 'other', password: 'pa:ss word' }), expected)).toBe(
      false,
    );
    expect(basicAuthMatches(undefined, expected)).toBe(false);
    expect(basicAuthMatches('Bearer abc', expected)).toBe(false);
    expect(basicAuthMatches('Basic', { username: '', password: '' })).toBe(false);
  });

  describe('a metrics endpoint with HTTPS and a password', () => {
    let dir: string;
    let tls: { cert: Buffer; key: Buffer };
    let server: MetricsHttpServer;
    let port: number;
    const credentials = { username: 'samsa', password: 's3cret' };

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-httpaccess-'));
      tls = selfSigned(dir);
      const registry = new MetricsRegistry({ autoTick: false });
      registry.group('kafka.server', 'BrokerTopicMetrics').meter('MessagesInPerSec', 'messages').mark(3);
      server = new MetricsHttpServer({
        registry,
        host: '127.0.0.1',
        port: 0,
        version: '1',
        access: { tls, basicAuth: credentials },
      });
      port = await server.start();
    });

    afterAll(async () => {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('answers 401 without the password and with a wrong one', async () => {
      const none = await get(`https://127.0.0.1:${port}/metrics`, tls.cert);
      expect(none.status).toBe(401);
      expect(none.body).not.toContain('MessagesInPerSec');
      const wrong = await get(`https://127.0.0.1:${port}/metrics`, tls.cert, {
        authorization: basicAuthHeader({ username: 'samsa', password: 'guess' }),
      });
      expect(wrong.status).toBe(401);
    });

    test('serves the metrics over HTTPS to the right password', async () => {
      const ok = await get(`https://127.0.0.1:${port}/metrics`, tls.cert, {
        authorization: basicAuthHeader(credentials),
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toContain('kafka_server_brokertopicmetrics_messagesin_total 3');
    });

    test('does not speak plain HTTP', async () => {
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    });
  });
});

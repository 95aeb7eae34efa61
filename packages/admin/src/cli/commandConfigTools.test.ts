import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClientSecurity } from '@samsa/client';
import { runAclCommand } from '../acls/AclCommand';
import { runConsumerGroupCommand } from '../groups/ConsumerGroupCommand';
import type { GroupAdmin } from '../groups/GroupAdmin';
import { runTopicCommand } from '../topics/TopicCommand';
import { FakeClusterClient } from '../client/testing/FakeClusterClient';

/** How each tool takes --command-config: the security reaches its client; misuse is a usage error. */

let dir: string;
let saslConfig: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'command-config-'));
  saslConfig = path.join(dir, 'client.properties');
  fs.writeFileSync(
    saslConfig,
    [
      'security.protocol=SASL_PLAINTEXT',
      'sasl.mechanism=SCRAM-SHA-256',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ops" password="ops-secret";',
    ].join('\n'),
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const EXPECTED: ClientSecurity = {
  securityProtocol: 'SASL_PLAINTEXT',
  sasl: { mechanism: 'SCRAM-SHA-256', username: 'ops', password: 'ops-secret' },
};

describe('kafka-topics', () => {
  it('gives the security to the client it creates', async () => {
    let seen: ClientSecurity | undefined;
    const client = new FakeClusterClient({ brokers: [0], controllerId: 0, topics: new Map([['t', []]]) }, () => ({}));
    const o = io();
    const code = await runTopicCommand(['--bootstrap-server', 'b:9092', '--command-config', saslConfig, '--list'], o.io, {
      createClient: (_b, _t, security) => {
        seen = security;
        return client;
      },
      timeoutMs: 1000,
    });
    expect({ code, err: o.err }).toEqual({ code: 0, err: [] });
    expect(seen).toEqual(EXPECTED);
  });

  it('refuses --command-config with --zookeeper, and an unreadable file, before connecting', async () => {
    const fail = () => {
      throw new Error('must not connect');
    };
    const zk = io();
    expect(await runTopicCommand(['--zookeeper', 'z:2181', '--command-config', saslConfig, '--list'], zk.io, { createClient: fail })).toBe(1);
    expect(zk.err).toEqual(['Option "[command-config]" can\'t be used with option "[zookeeper]"']);
    const missing = io();
    expect(
      await runTopicCommand(['--bootstrap-server', 'b:9092', '--command-config', path.join(dir, 'nope'), '--list'], missing.io, {
        createClient: fail,
      }),
    ).toBe(1);
    expect(missing.err[0]).toMatch(/^Unable to read the --command-config file .*nope: ENOENT/);
  });
});

describe('kafka-consumer-groups', () => {
  it('gives the security to the admin it creates', async () => {
    let seen: ClientSecurity | undefined;
    const admin = {
      listConsumerGroups: () => Promise.resolve([]),
      close: () => Promise.resolve(),
    } as unknown as GroupAdmin;
    const o = io();
    await runConsumerGroupCommand(['--bootstrap-server', 'b:9092', '--command-config', saslConfig, '--list'], o.io, {
      createAdmin: (_b, _t, security) => {
        seen = security;
        return admin;
      },
    });
    expect(o.err).toEqual([]);
    expect(seen).toEqual(EXPECTED);
  });
});

describe('kafka-acls', () => {
  it('refuses --command-config without --bootstrap-server, as Kafka', async () => {
    const o = io();
    const code = await runAclCommand(['--authorizer-properties', 'zookeeper.connect=z:2181', '--command-config', saslConfig, '--list'], o.io);
    expect(code).toBe(1);
    expect(o.err).toEqual(['The --command-config option can only be used with --bootstrap-server option']);
  });
});

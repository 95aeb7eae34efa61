import { ANONYMOUS } from '@samsa/security';
import { ApiKey, decodeResponse, encodeRequest, ErrorCode, type Struct } from '@samsa/protocol';
import { apiVersionsEntry } from '../api/apiVersions';
import { ApiRegistry } from '../api/registry';
import { untypedEntry, type UntypedApiHandler } from '../api/testing/untypedEntry';
import { RequestDispatcher, type DispatchOutcome } from './RequestDispatcher';
import { MemoryLogger } from './testing/TestClient';

const CONN = {
  connectionId: 'c-1',
  clientAddress: '127.0.0.1:5000',
  clientHost: '127.0.0.1',
  listenerName: 'PLAINTEXT',
  securityProtocol: 'PLAINTEXT' as const,
  principal: ANONYMOUS,
};
const HEARTBEAT: Struct = { groupId: 'g', generationId: 1, memberId: 'm' };

function setup(heartbeat: UntypedApiHandler) {
  const registry = new ApiRegistry();
  registry.register(apiVersionsEntry(registry));
  registry.register(untypedEntry({ apiKey: ApiKey.Heartbeat, maxVersion: 2, handle: heartbeat }));
  const logger = new MemoryLogger();
  return { dispatcher: new RequestDispatcher(registry, logger), logger };
}

function frame(apiKey: number, apiVersion: number, body: Struct): Buffer {
  return Buffer.concat(
    encodeRequest({ apiKey, apiVersion, correlationId: 11, clientId: 'c' }, body),
  ).subarray(4);
}

function responseBody(o: DispatchOutcome, apiKey: number, version: number): Struct {
  if (o.kind !== 'response') throw new Error(`expected a response, got ${o.kind}`);
  const decoded = decodeResponse(apiKey, version, Buffer.concat(o.chunks as Buffer[]).subarray(4));
  expect(decoded.correlationId).toBe(11);
  expect(o.bytes).toBe(Buffer.concat(o.chunks as Buffer[]).length);
  return decoded.body;
}

describe('RequestDispatcher', () => {
  it('passes the decoded header and the connection to the handler, and encodes with the request version', async () => {
    let seen: unknown;
    const { dispatcher } = setup((ctx, body) => {
      seen = { ctx, body };
      return { errorCode: ErrorCode.NONE, throttleTimeMs: 3 };
    });
    const o = await dispatcher.dispatch(frame(ApiKey.Heartbeat, 1, HEARTBEAT), CONN, 1234);
    expect(responseBody(o, ApiKey.Heartbeat, 1)).toEqual({ throttleTimeMs: 3, errorCode: 0 });
    expect(seen).toMatchObject({
      ctx: {
        header: { apiKey: ApiKey.Heartbeat, apiVersion: 1, correlationId: 11, clientId: 'c' },
        connectionId: 'c-1',
        clientAddress: '127.0.0.1:5000',
        listenerName: 'PLAINTEXT',
        securityProtocol: 'PLAINTEXT',
        principal: ANONYMOUS,
        clientHost: '127.0.0.1',
        receivedAtMs: 1234,
      },
      body: HEARTBEAT,
    });
  });

  it('closes for a version past what the registry serves, even one the protocol knows', () => {
    const { dispatcher } = setup(() => ({}));
    const o = dispatcher.dispatch(
      frame(ApiKey.Heartbeat, 3, { ...HEARTBEAT, groupInstanceId: null }),
      CONN,
      0,
    );
    expect(o).toEqual({
      kind: 'close',
      reason: expect.stringMatching(/Heartbeat v3 is not supported \(0-2\)/),
    });
  });

  it('answers UNKNOWN_SERVER_ERROR, and logs, when a handler returns a body that does not encode', () => {
    const { dispatcher, logger } = setup(() => ({ errorCode: 70_000 }));
    const o = dispatcher.dispatch(frame(ApiKey.Heartbeat, 0, HEARTBEAT), CONN, 0) as DispatchOutcome;
    expect(responseBody(o, ApiKey.Heartbeat, 0)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    expect(logger.at('error').join()).toMatch(/does not encode/);
  });

  it('answers ApiVersions v3 with INVALID_REQUEST (and its own layout) for a bad client software name', () => {
    const { dispatcher } = setup(() => ({}));
    const f = frame(ApiKey.ApiVersions, 3, { clientSoftwareName: '-bad-', clientSoftwareVersion: '1' });
    const body = responseBody(dispatcher.dispatch(f, CONN, 0) as DispatchOutcome, ApiKey.ApiVersions, 3);
    expect(body.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('never throws, whatever the bytes', () => {
    const { dispatcher } = setup(() => ({ errorCode: 0 }));
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2_000; i++) {
      const f = Buffer.alloc(rnd() % 40);
      for (let j = 0; j < f.length; j++) f[j] = rnd() & 0xff;
      if (f.length >= 2 && i % 2 === 0)
        f.writeInt16BE([ApiKey.Heartbeat, ApiKey.ApiVersions][i % 4 === 0 ? 0 : 1], 0);
      if (f.length >= 4 && i % 2 === 0) f.writeInt16BE(rnd() % 4, 2);
      const o = dispatcher.dispatch(f, CONN, 0);
      expect(['response', 'close', 'noResponse']).toContain((o as DispatchOutcome).kind);
    }
  });
});

import { ANONYMOUS } from '@samsa/security';
import { ApiKey, decodeResponse, encodeResponse, ErrorCode, KafkaError } from '@samsa/protocol';
import { apiVersionsBody, apiVersionsEntry } from './apiVersions';
import { ApiRegistry } from './registry';
import { answerNow, untypedEntry } from './testing/untypedEntry';
import type { RequestContext } from './types';

const noop = () => ({});

function ctx(apiVersion: number): RequestContext {
  return {
    header: { apiKey: ApiKey.ApiVersions, apiVersion, correlationId: 5, clientId: 'c' },
    clientAddress: '127.0.0.1:1',
    connectionId: 'c-1',
    listenerName: 'PLAINTEXT',
    securityProtocol: 'PLAINTEXT',
    principal: ANONYMOUS,
    clientHost: '127.0.0.1',
    receivedAtMs: 0,
  };
}

function registry(): ApiRegistry {
  const r = new ApiRegistry();
  r.register(untypedEntry({ apiKey: ApiKey.Metadata, maxVersion: 6, handle: noop }));
  r.register(apiVersionsEntry(r));
  r.register(untypedEntry({ apiKey: ApiKey.Produce, maxVersion: 7, handle: noop }));
  return r;
}

describe('ApiRegistry', () => {
  it('lists what it serves in api-key order, every range from 0', () => {
    expect(registry().served()).toEqual([
      { apiKey: ApiKey.Produce, minVersion: 0, maxVersion: 7 },
      { apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 6 },
      { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 3 },
    ]);
  });

  it('serves 0..maxVersion of registered keys only', () => {
    const r = registry();
    expect([r.serves(ApiKey.Produce, 0), r.serves(ApiKey.Produce, 7), r.serves(ApiKey.Produce, 8)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(r.serves(ApiKey.Fetch, 0)).toBe(false);
    expect(r.get(ApiKey.Metadata)?.maxVersion).toBe(6);
    expect(r.get(ApiKey.Fetch)).toBeUndefined();
  });

  it('refuses a key twice, a version past the schema, and keys without a schema', () => {
    const r = registry();
    expect(() => r.register(untypedEntry({ apiKey: ApiKey.Produce, maxVersion: 3, handle: noop }))).toThrow(
      /registered twice/,
    );
    expect(() => r.register(untypedEntry({ apiKey: ApiKey.Fetch, maxVersion: 13, handle: noop }))).toThrow(
      /outside its schema's 0-12/,
    );
    expect(() => r.register(untypedEntry({ apiKey: 999, maxVersion: 0, handle: noop }))).toThrow(/no schema/);
  });
});

describe('ApiVersions handler', () => {
  it.each([0, 1, 2, 3])('answers v%i with the registry list, encodable in that version', (v) => {
    const r = registry();
    const body = answerNow(apiVersionsEntry(r), ctx(v), {
      clientSoftwareName: 'librdkafka',
      clientSoftwareVersion: '2.0.2',
    });
    const frame = Buffer.concat(encodeResponse(ApiKey.ApiVersions, v, 5, body)).subarray(4);
    const decoded = decodeResponse(ApiKey.ApiVersions, v, frame);
    expect(decoded.body.errorCode).toBe(ErrorCode.NONE);
    expect(decoded.body.apiKeys).toEqual(r.served());
  });

  it('lists handlers registered after it (the list is read at answer time)', () => {
    const r = registry();
    r.register(untypedEntry({ apiKey: ApiKey.Fetch, maxVersion: 11, handle: noop }));
    const body = answerNow(apiVersionsEntry(r), ctx(0), {});
    expect(body.apiKeys).toContainEqual({ apiKey: ApiKey.Fetch, minVersion: 0, maxVersion: 11 });
  });

  it('refuses a v3 request whose client software name breaks the KIP-511 pattern', () => {
    const handle = () =>
      apiVersionsEntry(registry()).handle(ctx(3), {
        clientSoftwareName: 'bad name!',
        clientSoftwareVersion: '1',
      });
    expect(handle).toThrow(KafkaError);
    expect(handle).toThrow(/invalid client software name/);
    // before v3 the fields do not exist and nothing is checked
    expect(() =>
      apiVersionsEntry(registry()).handle(ctx(2), { clientSoftwareName: '', clientSoftwareVersion: '' }),
    ).not.toThrow();
  });

  it('the unsupported-version body is the same list with UNSUPPORTED_VERSION, in the v0 layout', () => {
    const r = registry();
    const frame = Buffer.concat(
      encodeResponse(ApiKey.ApiVersions, 0, 1, apiVersionsBody(r, ErrorCode.UNSUPPORTED_VERSION)),
    ).subarray(4);
    expect(decodeResponse(ApiKey.ApiVersions, 0, frame).body).toMatchObject({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: r.served(),
    });
  });
});

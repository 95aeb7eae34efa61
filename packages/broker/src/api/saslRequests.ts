import { ApiKey, ErrorCode } from '@samsa/protocol';
import type { ApiHandlerEntry } from './types';

/**
 * SaslHandshake v0–1 and SaslAuthenticate v0–2 as KafkaApis sees them: only on a connection that
 * needs no (more) authentication — a PLAINTEXT or SSL listener, or a SASL connection already
 * authenticated (a re-authentication's handshake is taken by the connection's
 * SaslServerAuthenticator before it gets here). Kafka answers ILLEGAL_SASL_STATE. Registered so
 * that ApiVersions lists both: clients look for SaslHandshake there before authenticating.
 */
export function saslHandshakeHandler(): ApiHandlerEntry<typeof ApiKey.SaslHandshake> {
  return {
    apiKey: ApiKey.SaslHandshake,
    maxVersion: 1,
    handle: () => ({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }),
  };
}

export function saslAuthenticateHandler(): ApiHandlerEntry<typeof ApiKey.SaslAuthenticate> {
  return {
    apiKey: ApiKey.SaslAuthenticate,
    maxVersion: 2,
    handle: () => ({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0,
    }),
  };
}

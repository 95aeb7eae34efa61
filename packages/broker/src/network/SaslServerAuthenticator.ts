/**
 * Kafka's SaslServerAuthenticator: the server side of SASL on one SASL_PLAINTEXT or SASL_SSL
 * connection, before any other request is served. The Connection hands it every frame until
 * `complete`; it answers the SASL requests itself and says what to do with the frame.
 *
 * States and what each accepts (Kafka's SaslState; anything else fails the authentication):
 *
 *   HANDSHAKE_OR_VERSIONS_REQUEST  ApiVersions → the broker's answer (HANDSHAKE_REQUEST, or stays
 *                                  when the version is unsupported, so the client can step down);
 *                                  SaslHandshake → AUTHENTICATE
 *   HANDSHAKE_REQUEST              SaslHandshake → AUTHENTICATE
 *   AUTHENTICATE                   after SaslHandshake v0: raw SASL tokens, size-prefixed without a
 *                                  header (kafka-python 2.0.2); after v1: SaslAuthenticate v0–2.
 *                                  The mechanism's last token → COMPLETE
 *   COMPLETE                       (the connection serves requests) SaslHandshake →
 *                                  REAUTH_PROCESS_HANDSHAKE → AUTHENTICATE (KIP-368)
 *   FAILED                         nothing
 *
 * Failures as Kafka answers them: an unsupported mechanism gets UNSUPPORTED_SASL_MECHANISM; a
 * failed SaslAuthenticate gets SASL_AUTHENTICATION_FAILED with the mechanism's message when it is
 * safe to tell (SaslAuthenticationError) or "Authentication failed during authentication due to
 * invalid credentials with SASL mechanism <M>"; a request other than SaslAuthenticate after the
 * handshake gets its ILLEGAL_SASL_STATE error response; a request other than ApiVersions or
 * SaslHandshake before it gets nothing. The Connection then sends the response after
 * connection.failed.authentication.delay.ms and closes.
 */
import {
  ApiKey,
  apiSpec,
  decodeRequest,
  encodeResponse,
  ErrorCode,
  peekRequestIds,
  type Struct,
} from '@samsa/protocol';
import {
  isScram,
  PlainSaslServer,
  plainUsersFromJaasOptions,
  SaslAuthenticationError,
  SaslError,
  scramMechanism,
  ScramSaslServer,
  userPrincipal,
  type CredentialCache,
  type KafkaPrincipal,
  type SaslServer,
} from '@samsa/security';
import { API_VERSIONS_MAX_VERSION, validClientSoftware } from '../api/apiVersions';
import { errorResponse } from '../api/errorResponse';
import type { SaslListenerConfig, ServedSaslMechanism } from '../config/saslConfigs';

export type SaslState =
  | 'HANDSHAKE_OR_VERSIONS_REQUEST'
  | 'HANDSHAKE_REQUEST'
  | 'AUTHENTICATE'
  | 'COMPLETE'
  | 'REAUTH_PROCESS_HANDSHAKE'
  | 'FAILED';

/** What the Connection does with a frame the authenticator has looked at. */
export type SaslOutcome =
  /** Write these size-prefixed chunks, in order with the other responses. */
  | { readonly kind: 'respond'; readonly chunks: readonly Buffer[] }
  /** A request the broker answers as usual (ApiVersions): give the frame to the RequestProcessor. */
  | { readonly kind: 'dispatch' }
  /**
   * Authentication failed: after `delayed` (connection.failed.authentication.delay.ms) write
   * `chunks` when there are any, then close. Not delayed: close at once (Kafka's non-authentication
   * failures: an ApiVersions after the handshake, an unsupported SaslAuthenticate version).
   */
  | { readonly kind: 'fail'; readonly chunks: readonly Buffer[] | null; readonly reason: string; readonly delayed: boolean };

export interface SaslServerAuthenticatorOptions {
  readonly config: SaslListenerConfig;
  readonly credentialCache: CredentialCache;
  readonly now?: () => number;
}

/** Which frames each state takes, and what it does with them (the transition table). */
type Handler = (a: SaslServerAuthenticator, frame: Buffer) => SaslOutcome;

const TABLE: Readonly<Record<SaslState, Handler>> = {
  HANDSHAKE_OR_VERSIONS_REQUEST: (a, f) => a.onHandshakeOrVersions(f, true),
  HANDSHAKE_REQUEST: (a, f) => a.onHandshakeOrVersions(f, false),
  REAUTH_PROCESS_HANDSHAKE: (a, f) => a.onHandshakeOrVersions(f, false),
  AUTHENTICATE: (a, f) => a.onAuthenticate(f),
  COMPLETE: () => failNow('programmer error: a request reached the authenticator after authentication'),
  FAILED: () => failNow('authentication already failed'),
};

function failNow(reason: string): SaslOutcome {
  return { kind: 'fail', chunks: null, reason, delayed: false };
}

function failAfterDelay(reason: string, chunks: readonly Buffer[] | null): SaslOutcome {
  return { kind: 'fail', chunks, reason, delayed: true };
}

export class SaslServerAuthenticator {
  private saslState: SaslState = 'HANDSHAKE_OR_VERSIONS_REQUEST';
  private mechanism: ServedSaslMechanism | undefined;
  private saslServer: SaslServer | undefined;
  /** SaslHandshake v1+: tokens come in SaslAuthenticate requests; v0: raw. */
  private kafkaHeaders = false;
  private authenticated: KafkaPrincipal | undefined;
  /** Re-authenticating: the principal and mechanism of the session being renewed. */
  private previous: { principal: KafkaPrincipal; mechanism: ServedSaslMechanism } | undefined;
  /** KIP-368: when the session ends (ms, `now()` clock); undefined: never. */
  private sessionExpirationMs: number | undefined;
  private clientSupportsReauthentication = false;
  private readonly now: () => number;

  constructor(private readonly o: SaslServerAuthenticatorOptions) {
    this.now = o.now ?? Date.now;
  }

  get state(): SaslState {
    return this.saslState;
  }

  /** True once the client has authenticated (and is not re-authenticating). */
  get complete(): boolean {
    return this.saslState === 'COMPLETE';
  }

  /** sasl.server.max.receive.size: the largest frame read before authentication completes. */
  get maxReceiveSize(): number {
    return this.o.config.maxReceiveSize;
  }

  /** The authenticated principal (valid when complete). */
  get principal(): KafkaPrincipal | undefined {
    return this.authenticated;
  }

  /** The frame of a connection still authenticating (Kafka's authenticate()). */
  handle(frame: Buffer): SaslOutcome {
    if (frame.length > this.o.config.maxReceiveSize)
      return this.fail(failAfterDelay('Failing SASL authentication due to invalid receive size', null));
    const outcome = TABLE[this.saslState](this, frame);
    if (outcome.kind === 'fail') this.saslState = 'FAILED';
    return outcome;
  }

  /** KIP-368: the session's lifetime is over; the next request other than SaslHandshake closes the connection. */
  sessionExpired(): boolean {
    return this.sessionExpirationMs !== undefined && this.now() > this.sessionExpirationMs;
  }

  /**
   * KIP-368: a SaslHandshake on an authenticated connection starts re-authentication (Kafka's
   * maybeBeginServerReauthentication), only from a client that used SaslAuthenticate v1+;
   * false leaves the request to the broker (which answers ILLEGAL_SASL_STATE).
   */
  maybeBeginReauthentication(): boolean {
    if (this.saslState !== 'COMPLETE' || !this.clientSupportsReauthentication) return false;
    this.previous = { principal: this.authenticated!, mechanism: this.mechanism! };
    this.saslState = 'REAUTH_PROCESS_HANDSHAKE';
    this.saslServer = undefined;
    return true;
  }

  private fail(outcome: SaslOutcome): SaslOutcome {
    this.saslState = 'FAILED';
    return outcome;
  }

  /** @internal HANDSHAKE_OR_VERSIONS_REQUEST, HANDSHAKE_REQUEST and REAUTH_PROCESS_HANDSHAKE */
  onHandshakeOrVersions(frame: Buffer, versionsAllowed: boolean): SaslOutcome {
    if (frame.length < 8) return failAfterDelay('Unexpected Kafka request of unknown type during SASL handshake.', null);
    const { apiKey, apiVersion } = peekRequestIds(frame);
    if (apiKey === ApiKey.ApiVersions) {
      if (!versionsAllowed)
        return failNow(`Unexpected ApiVersions request received during SASL authentication state ${this.saslState}`);
      // Kafka's handleApiVersionsRequest: an unsupported version or an invalid v3 request is
      // answered with its error and the client may ask again
      if (apiVersion <= API_VERSIONS_MAX_VERSION && validApiVersionsRequest(frame)) this.saslState = 'HANDSHAKE_REQUEST';
      return { kind: 'dispatch' };
    }
    if (apiKey !== ApiKey.SaslHandshake) {
      const name = apiSpec(apiKey)?.name ?? `api key ${apiKey}`;
      return failAfterDelay(`Unexpected Kafka request of type ${name} during SASL handshake.`, null);
    }
    let decoded: { header: { correlationId: number }; body: Struct };
    try {
      decoded = decodeRequest(frame);
    } catch (e) {
      return failNow(`malformed SaslHandshake request: ${(e as Error).message}`);
    }
    if (apiVersion > 1) return failNow(`SaslHandshake v${apiVersion} is not supported (0-1)`);
    const clientMechanism = String(decoded.body.mechanism);
    const enabled = this.o.config.enabledMechanisms;
    const respond = (errorCode: number): Buffer[] =>
      encodeResponse(ApiKey.SaslHandshake, apiVersion, decoded.header.correlationId, { errorCode, mechanisms: [...enabled] });
    if (!(enabled as readonly string[]).includes(clientMechanism)) {
      return failAfterDelay(`Unsupported SASL mechanism ${clientMechanism}`, respond(ErrorCode.UNSUPPORTED_SASL_MECHANISM));
    }
    const mechanism = clientMechanism as ServedSaslMechanism;
    if (this.previous !== undefined && this.previous.mechanism !== mechanism) {
      // Kafka's REAUTH_BAD_MECHANISM: the handshake is answered, the next token fails
      return failAfterDelay(
        `SASL mechanism '${mechanism}' requested by client is not supported for re-authentication of mechanism '${this.previous.mechanism}'`,
        respond(ErrorCode.NONE),
      );
    }
    this.kafkaHeaders = apiVersion >= 1;
    this.mechanism = mechanism;
    this.saslServer = this.createSaslServer(mechanism);
    this.saslState = 'AUTHENTICATE';
    return { kind: 'respond', chunks: respond(ErrorCode.NONE) };
  }

  private createSaslServer(mechanism: ServedSaslMechanism): SaslServer {
    if (mechanism === 'PLAIN') {
      return new PlainSaslServer(plainUsersFromJaasOptions(this.o.config.jaas.get('PLAIN')!.options));
    }
    if (!isScram(mechanism)) throw new Error(`programmer error: no SASL server for ${mechanism}`);
    const cache = this.o.credentialCache;
    return new ScramSaslServer(scramMechanism(mechanism)!, (user, m) => cache.get(user, m));
  }

  /** @internal AUTHENTICATE */
  onAuthenticate(frame: Buffer): SaslOutcome {
    const server = this.saslServer!;
    if (!this.kafkaHeaders) {
      // SaslHandshake v0: the frame is the token, the answer a size-prefixed token
      try {
        const response = server.evaluateResponse(frame);
        if (server.isComplete()) this.onComplete();
        return { kind: 'respond', chunks: [sizePrefixed(response)] };
      } catch (e) {
        if (e instanceof SaslAuthenticationError) return failAfterDelay(e.message, null);
        return failNow(`Failed during authentication: ${(e as Error).message}`);
      }
    }
    if (frame.length < 8) return failNow('request shorter than a request header during SASL authentication');
    const { apiKey, apiVersion } = peekRequestIds(frame);
    let decoded: { header: { correlationId: number }; body: Struct };
    try {
      decoded = decodeRequest(frame);
    } catch (e) {
      return failNow(`malformed request during SASL authentication: ${(e as Error).message}`);
    }
    const correlationId = decoded.header.correlationId;
    if (apiKey !== ApiKey.SaslAuthenticate) {
      const name = apiSpec(apiKey)?.name ?? `api key ${apiKey}`;
      const message = `Unexpected Kafka request of type ${name} during SASL authentication.`;
      let chunks: Buffer[] | null = null;
      try {
        chunks = encodeResponse(apiKey, apiVersion, correlationId, errorResponse(apiKey, apiVersion, decoded.body, ErrorCode.ILLEGAL_SASL_STATE, message));
      } catch {
        chunks = null;
      }
      return failAfterDelay(message, chunks);
    }
    if (apiVersion > 2) return failNow(`Version ${apiVersion} is not supported for apiKey SASL_AUTHENTICATE`);
    if (apiVersion > 0) this.clientSupportsReauthentication = true;
    const respond = (body: { errorCode: number; errorMessage: string | null; authBytes: Buffer; sessionLifetimeMs: number }) =>
      encodeResponse(ApiKey.SaslAuthenticate, apiVersion, correlationId, body);
    try {
      const token = server.evaluateResponse(Buffer.from(decoded.body.authBytes as Buffer));
      let sessionLifetimeMs = 0;
      if (server.isComplete()) sessionLifetimeMs = this.onComplete();
      return { kind: 'respond', chunks: respond({ errorCode: ErrorCode.NONE, errorMessage: null, authBytes: token, sessionLifetimeMs }) };
    } catch (e) {
      const message =
        e instanceof SaslAuthenticationError
          ? e.message
          : `Authentication failed during ${this.previous ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${this.mechanism}`;
      const detail = e instanceof SaslError && !(e instanceof SaslAuthenticationError) ? ` (${e.message})` : '';
      return failAfterDelay(
        `${message}${detail}`,
        respond({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 }),
      );
    }
  }

  /** The exchange is over: the principal, and the session's lifetime (KIP-368), in ms. */
  private onComplete(): number {
    const principal = userPrincipal(this.saslServer!.authorizationId());
    if (this.previous !== undefined) {
      const p = this.previous.principal;
      if (p.principalType !== principal.principalType || p.name !== principal.name) {
        throw new SaslAuthenticationError(
          `Cannot change principals during re-authentication from ${p.principalType}.${p.name}: ${principal.principalType}.${principal.name}`,
        );
      }
    }
    this.authenticated = principal;
    this.previous = undefined;
    this.saslState = 'COMPLETE';
    const maxReauthMs = this.o.config.maxReauthMs.get(this.mechanism!) ?? 0;
    this.sessionExpirationMs = maxReauthMs > 0 ? this.now() + maxReauthMs : undefined;
    return maxReauthMs > 0 ? maxReauthMs : 0;
  }
}

function validApiVersionsRequest(frame: Buffer): boolean {
  try {
    const { header, body } = decodeRequest(frame);
    return header.apiVersion < 3 || validClientSoftware(String(body.clientSoftwareName), String(body.clientSoftwareVersion));
  } catch {
    return false; // the dispatcher closes the connection on a malformed request
  }
}

function sizePrefixed(token: Buffer): Buffer {
  const out = Buffer.alloc(4 + token.length);
  out.writeInt32BE(token.length, 0);
  token.copy(out, 4);
  return out;
}

/**
 * Kafka's SaslClientAuthenticator, for Samsa's own client (inter-broker connections, the CLIs):
 * on a SASL_PLAINTEXT or SASL_SSL connection, right after the socket (TLS or not) is connected and
 * before the channel carries any other request, SaslHandshake v1 with the configured mechanism,
 * then SaslAuthenticate v1 requests carrying the mechanism's tokens until it completes. A refusal
 * (UNSUPPORTED_SASL_MECHANISM, SASL_AUTHENTICATION_FAILED with the broker's message) rejects with
 * a SaslAuthenticationFailedError; the caller closes the socket.
 *
 * Re-authentication (KIP-368) is not done on this side: when the broker's
 * connections.max.reauth.ms ends the session, the broker closes the connection and the
 * NetworkClient reconnects, which authenticates again.
 */
import type { Duplex } from 'node:stream';
import { ApiKey, decodeResponse, encodeRequest, errorInfo, ErrorCode, FrameDecoder, type Struct } from '@samsa/protocol';
import {
  PlainSaslClient,
  scramMechanism,
  ScramSaslClient,
  type SaslClient,
} from '@samsa/security';
import type { ClientSasl } from './ClientSecurity';
import { DisconnectedError } from './errors';

/** The broker refused the credentials or the mechanism (Kafka's AuthenticationException). */
export class SaslAuthenticationFailedError extends DisconnectedError {}

const CLIENT_ID = 'samsa-sasl';
const SASL_AUTHENTICATE_VERSION = 1;
/** SASL responses are small; a larger frame is not from a broker speaking SASL. */
const MAX_SASL_FRAME = 512 * 1024;

export function saslClientFor(sasl: ClientSasl): SaslClient {
  if (sasl.mechanism === 'PLAIN') return new PlainSaslClient(sasl.username, sasl.password);
  const mechanism = scramMechanism(sasl.mechanism);
  if (mechanism === undefined) throw new Error(`unsupported SASL mechanism ${String(sasl.mechanism)}`);
  return new ScramSaslClient(mechanism, sasl.username, sasl.password);
}

/** Runs the SASL exchange on `socket`; resolves once authenticated. */
export async function authenticateSasl(socket: Duplex, sasl: ClientSasl, address: string): Promise<void> {
  const exchange = new FrameExchange(socket, address);
  try {
    const handshake = await exchange.request(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
    if (handshake.errorCode !== ErrorCode.NONE) {
      const enabled = (handshake.mechanisms as string[]).join(', ');
      throw new SaslAuthenticationFailedError(
        `${address}: ${errorInfo(Number(handshake.errorCode)).name}: SASL mechanism ${sasl.mechanism} not enabled (broker enables ${enabled})`,
      );
    }
    const client = saslClientFor(sasl);
    let token = client.evaluateChallenge(Buffer.alloc(0));
    for (;;) {
      const r = await exchange.request(ApiKey.SaslAuthenticate, SASL_AUTHENTICATE_VERSION, { authBytes: token });
      if (r.errorCode !== ErrorCode.NONE) {
        throw new SaslAuthenticationFailedError(
          `${address}: SASL authentication failed: ${String(r.errorMessage ?? errorInfo(Number(r.errorCode)).message)}`,
        );
      }
      if (client.isComplete()) return;
      token = client.evaluateChallenge(Buffer.from(r.authBytes as Buffer));
      if (client.isComplete()) return;
    }
  } finally {
    exchange.detach();
  }
}

/** Request/response on a socket nobody else reads yet (the KafkaChannel is made after). */
class FrameExchange {
  private readonly decoder = new FrameDecoder(MAX_SASL_FRAME);
  private correlationId = 0;
  private waiting: { resolve: (f: Buffer) => void; reject: (e: Error) => void } | undefined;
  private readonly frames: Buffer[] = [];
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer): void => {
    try {
      for (const f of this.decoder.push(chunk)) this.frames.push(Buffer.from(f));
    } catch (e) {
      this.fail(new DisconnectedError(`bad SASL response frame from ${this.address}: ${(e as Error).message}`));
      return;
    }
    this.deliver();
  };
  private readonly onClose = (): void =>
    this.fail(new SaslAuthenticationFailedError(`connection to ${this.address} was closed by the broker during SASL authentication`));
  private readonly onError = (e: Error): void => this.fail(new DisconnectedError(`connection to ${this.address} failed: ${e.message}`));

  constructor(
    private readonly socket: Duplex,
    private readonly address: string,
  ) {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  async request(apiKey: number, apiVersion: number, body: Struct): Promise<Struct> {
    const correlationId = this.correlationId++;
    const chunks = encodeRequest({ apiKey, apiVersion, correlationId, clientId: CLIENT_ID }, body);
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
    const decoded = decodeResponse(apiKey, apiVersion, frame);
    if (decoded.correlationId !== correlationId)
      throw new DisconnectedError(`${this.address}: SASL response to ${decoded.correlationId}, expected ${correlationId}`);
    return decoded.body;
  }

  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    // reading resumes when the KafkaChannel listens; until then the socket buffers
    this.socket.pause();
  }

  private deliver(): void {
    const w = this.waiting;
    if (w === undefined) return;
    if (this.failure !== undefined) {
      this.waiting = undefined;
      w.reject(this.failure);
    } else if (this.frames.length > 0) {
      this.waiting = undefined;
      w.resolve(this.frames.shift()!);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.deliver();
  }
}

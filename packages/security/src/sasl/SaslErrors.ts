/**
 * The two kinds of failure a SASL server reports, as Kafka separates them:
 * - SaslAuthenticationError (Kafka's SaslAuthenticationException): its message is safe to send to
 *   the client and is sent as the SaslAuthenticate error_message;
 * - SaslError (Kafka's javax SaslException): its message may say whether a user exists, so the
 *   client gets only "Authentication failed during authentication due to invalid credentials with
 *   SASL mechanism <M>" and the message stays in the broker's debug log.
 */
export class SaslError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaslError';
  }
}

export class SaslAuthenticationError extends SaslError {
  constructor(message: string) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

/** One side of a SASL exchange (Kafka's javax.security.sasl.SaslServer, the part Kafka uses). */
export interface SaslServer {
  readonly mechanismName: string;
  /** The client's next token in, the server's next challenge out; throws SaslError / SaslAuthenticationError. */
  evaluateResponse(response: Buffer): Buffer;
  isComplete(): boolean;
  /** The authenticated user name, once complete. */
  authorizationId(): string;
}

/** The client side (Kafka's SaslClient): the first token, then one answer per challenge. */
export interface SaslClient {
  readonly mechanismName: string;
  hasInitialResponse(): boolean;
  evaluateChallenge(challenge: Buffer): Buffer;
  isComplete(): boolean;
}

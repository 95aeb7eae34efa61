/**
 * Kafka's PlainSaslServer (RFC 4616): one token `[authzid] NUL authcid NUL passwd`, checked against
 * the `user_<name>="password"` options of the listener's PlainLoginModule
 * (PlainServerCallbackHandler). Every failure is a SaslAuthenticationError with Kafka's message,
 * which the client receives.
 */
import { timingSafeEqual } from 'node:crypto';
import { SaslAuthenticationError, type SaslServer } from './SaslErrors';

/** Checks a user's password (PlainServerCallbackHandler.authenticate). */
export type PlainAuthenticate = (username: string, password: string) => boolean;

/** The PlainLoginModule's JAAS options as Kafka reads them: `user_<name>` → password. */
export function plainUsersFromJaasOptions(options: ReadonlyMap<string, string>): PlainAuthenticate {
  return (username, password) => {
    const expected = options.get(`user_${username}`);
    if (expected === undefined) return false;
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(password, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  };
}

export class PlainSaslServer implements SaslServer {
  readonly mechanismName = 'PLAIN';
  private complete = false;
  private authzid = '';

  constructor(private readonly authenticate: PlainAuthenticate) {}

  evaluateResponse(response: Buffer): Buffer {
    const tokens = splitNul(response.toString('utf8'));
    if (tokens.length !== 3)
      throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${tokens.length}`);
    const [authorizationIdFromClient, username, password] = tokens;
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    if (!this.authenticate(username, password))
      throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authorizationIdFromClient !== '' && authorizationIdFromClient !== username)
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    this.authzid = username;
    this.complete = true;
    return Buffer.alloc(0);
  }

  isComplete(): boolean {
    return this.complete;
  }

  authorizationId(): string {
    if (!this.complete) throw new Error('Authentication exchange has not completed');
    return this.authzid;
  }
}

/** Kafka's PlainSaslServer.extractTokens: split at NUL, keeping empty tokens (and a trailing one). */
function splitNul(s: string): string[] {
  return s.split('\u0000');
}

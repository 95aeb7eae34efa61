/** The PLAIN client (RFC 4616): one token, NUL username NUL password (empty authorization id). */
import type { SaslClient } from './SaslErrors';

export class PlainSaslClient implements SaslClient {
  readonly mechanismName = 'PLAIN';
  private sent = false;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  hasInitialResponse(): boolean {
    return true;
  }

  evaluateChallenge(): Buffer {
    if (this.sent) throw new Error('PLAIN has a single token');
    this.sent = true;
    return Buffer.concat([Buffer.from([0]), Buffer.from(this.username, 'utf8'), Buffer.from([0]), Buffer.from(this.password, 'utf8')]);
  }

  isComplete(): boolean {
    return this.sent;
  }
}

/**
 * Kafka's ScramSaslServer (RFC 5802 server side) as a transition table:
 *
 *   RECEIVE_CLIENT_FIRST_MESSAGE --client-first--> RECEIVE_CLIENT_FINAL_MESSAGE  (answers server-first)
 *   RECEIVE_CLIENT_FINAL_MESSAGE --client-final--> COMPLETE                      (answers server-final)
 *   any state                    --bad token-----> FAILED
 *
 * Kafka's rules kept here: an unknown user, a credential below the mechanism's minimum iterations,
 * a wrong proof or a malformed message are SaslErrors (the client learns only "invalid
 * credentials"); an authorization id other than the user is a SaslAuthenticationError (its message
 * goes to the client). The client-final nonce must END WITH the server-first nonce, not equal it:
 * librdkafka 2.0.2 sends clientNonce + serverNonce and Kafka accepts that (scram.txt).
 */
import { SaslAuthenticationError, SaslError, type SaslServer } from './SaslErrors';
import type { ScramCredential } from './ScramCredential';
import { ScramFormatter, secureRandomString } from './ScramFormatter';
import type { ScramMechanism } from './ScramMechanism';
import {
  authMessage,
  parseClientFinalMessage,
  parseClientFirstMessage,
  serverFirstMessage,
  usernameOfSaslName,
  type ClientFirstMessage,
} from './ScramMessages';

export type ScramServerState =
  | 'RECEIVE_CLIENT_FIRST_MESSAGE'
  | 'RECEIVE_CLIENT_FINAL_MESSAGE'
  | 'COMPLETE'
  | 'FAILED';

/** Where the server finds a user's credential (the broker's CredentialCache). */
export type ScramCredentialLookup = (username: string, mechanism: ScramMechanism) => ScramCredential | undefined;

interface Exchange {
  clientFirst?: ClientFirstMessage;
  serverFirst?: string;
  serverNonce?: string;
  credential?: ScramCredential;
  username?: string;
}

type Step = (server: ScramSaslServer, token: Buffer, x: Exchange) => Buffer;

const TRANSITIONS: Readonly<Record<ScramServerState, { next?: ScramServerState; step?: Step }>> = {
  RECEIVE_CLIENT_FIRST_MESSAGE: { next: 'RECEIVE_CLIENT_FINAL_MESSAGE', step: (s, t, x) => s.onClientFirst(t, x) },
  RECEIVE_CLIENT_FINAL_MESSAGE: { next: 'COMPLETE', step: (s, t, x) => s.onClientFinal(t, x) },
  COMPLETE: {},
  FAILED: {},
};

export class ScramSaslServer implements SaslServer {
  private state: ScramServerState = 'RECEIVE_CLIENT_FIRST_MESSAGE';
  private readonly exchange: Exchange = {};
  private readonly formatter: ScramFormatter;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly credentials: ScramCredentialLookup,
    /** The server nonce's random part (tests fix it). */
    private readonly randomNonce: () => string = secureRandomString,
  ) {
    this.formatter = new ScramFormatter(mechanism);
  }

  get mechanismName(): string {
    return this.mechanism.mechanismName;
  }

  get currentState(): ScramServerState {
    return this.state;
  }

  evaluateResponse(response: Buffer): Buffer {
    const t = TRANSITIONS[this.state];
    if (t.step === undefined || t.next === undefined)
      throw new SaslError(`Unexpected challenge in Sasl server state ${this.state}`);
    try {
      const out = t.step(this, response, this.exchange);
      this.state = t.next;
      return out;
    } catch (e) {
      this.state = 'FAILED';
      if (e instanceof SaslError) throw e;
      throw new SaslError(`Authentication failed: ${(e as Error).message}`);
    }
  }

  /** @internal the RECEIVE_CLIENT_FIRST_MESSAGE step */
  onClientFirst(token: Buffer, x: Exchange): Buffer {
    const first = parseClientFirstMessage(token);
    const username = usernameOfSaslName(first.saslName);
    if (first.extensions.get('tokenauth')?.toLowerCase() === 'true')
      throw new SaslError(`Token Authentication failed: Invalid tokenId : ${username}`);
    const credential = this.credentials(username, this.mechanism);
    if (credential === undefined) throw new SaslError('Authentication failed: Invalid user credentials');
    if (first.authorizationId !== '' && first.authorizationId !== username)
      throw new SaslAuthenticationError(
        'Authentication failed: Client requested an authorization id that is different from username',
      );
    if (credential.iterations < this.mechanism.minIterations)
      throw new SaslError(
        `Iterations ${credential.iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.mechanismName}`,
      );
    const nonce = first.nonce + this.randomNonce();
    const serverFirst = serverFirstMessage(nonce, credential.salt, credential.iterations);
    Object.assign(x, { clientFirst: first, serverFirst, serverNonce: nonce, credential, username });
    return Buffer.from(serverFirst, 'utf8');
  }

  /** @internal the RECEIVE_CLIENT_FINAL_MESSAGE step */
  onClientFinal(token: Buffer, x: Exchange): Buffer {
    let final;
    try {
      final = parseClientFinalMessage(token);
    } catch (e) {
      throw new SaslError(`Authentication failed: Invalid client final message: ${(e as Error).message}`);
    }
    if (!final.nonce.endsWith(x.serverNonce!)) throw new SaslError('Invalid client nonce in the final client message.');
    const auth = authMessage(x.clientFirst!.bare, x.serverFirst!, final.withoutProof);
    if (!this.formatter.verifyClientProof(x.credential!, final.proof, auth)) throw new SaslError('Invalid client credentials');
    const signature = this.formatter.serverSignature(x.credential!.serverKey, auth);
    return Buffer.from(`v=${signature.toString('base64')}`, 'utf8');
  }

  isComplete(): boolean {
    return this.state === 'COMPLETE';
  }

  authorizationId(): string {
    if (!this.isComplete()) throw new Error('Authentication exchange has not completed');
    return this.exchange.username!;
  }
}

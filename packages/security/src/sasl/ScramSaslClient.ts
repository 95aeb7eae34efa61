/**
 * Kafka's ScramSaslClient as a transition table (the broker's inter-broker connections, the CLIs
 * and tests):
 *
 *   SEND_CLIENT_FIRST_MESSAGE    --(initial)------> RECEIVE_SERVER_FIRST_MESSAGE  (sends client-first)
 *   RECEIVE_SERVER_FIRST_MESSAGE --server-first---> RECEIVE_SERVER_FINAL_MESSAGE  (sends client-final)
 *   RECEIVE_SERVER_FINAL_MESSAGE --server-final---> COMPLETE                      (signature checked)
 *   any state                    --bad challenge--> FAILED
 */
import { SaslError, type SaslClient } from './SaslErrors';
import { ScramFormatter, secureRandomString } from './ScramFormatter';
import { SCRAM_MAX_ITERATIONS, type ScramMechanism } from './ScramMechanism';
import {
  authMessage,
  clientFirstMessage,
  parseServerFinalMessage,
  parseServerFirstMessage,
} from './ScramMessages';

export type ScramClientState =
  | 'SEND_CLIENT_FIRST_MESSAGE'
  | 'RECEIVE_SERVER_FIRST_MESSAGE'
  | 'RECEIVE_SERVER_FINAL_MESSAGE'
  | 'COMPLETE'
  | 'FAILED';

export class ScramSaslClient implements SaslClient {
  private state: ScramClientState = 'SEND_CLIENT_FIRST_MESSAGE';
  private readonly formatter: ScramFormatter;
  private readonly clientNonce: string;
  private clientFirstBare = '';
  private serverSignature: Buffer | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    nonce: string = secureRandomString(),
  ) {
    this.formatter = new ScramFormatter(mechanism);
    this.clientNonce = nonce;
  }

  get mechanismName(): string {
    return this.mechanism.mechanismName;
  }

  hasInitialResponse(): boolean {
    return true;
  }

  evaluateChallenge(challenge: Buffer): Buffer {
    try {
      switch (this.state) {
        case 'SEND_CLIENT_FIRST_MESSAGE': {
          const first = clientFirstMessage(this.username, this.clientNonce);
          this.clientFirstBare = first.slice(3);
          this.state = 'RECEIVE_SERVER_FIRST_MESSAGE';
          return Buffer.from(first, 'utf8');
        }
        case 'RECEIVE_SERVER_FIRST_MESSAGE': {
          const serverFirst = parseServerFirstMessage(challenge);
          if (!serverFirst.nonce.startsWith(this.clientNonce)) throw new SaslError('Invalid server nonce: does not start with client nonce');
          if (serverFirst.iterations < this.mechanism.minIterations)
            throw new SaslError(
              `Requested iterations ${serverFirst.iterations} is less than the minimum ${this.mechanism.minIterations} for ${this.mechanism.mechanismName}`,
            );
          // No credential Kafka stores has more (kafka-configs refuses them); a server asking for
          // more would have this process spend its event loop on PBKDF2 (2^31 rounds: minutes).
          if (serverFirst.iterations > SCRAM_MAX_ITERATIONS)
            throw new SaslError(
              `Requested iterations ${serverFirst.iterations} is more than the maximum ${SCRAM_MAX_ITERATIONS} for ${this.mechanism.mechanismName}`,
            );
          const salted = this.formatter.saltedPassword(this.password, serverFirst.salt, serverFirst.iterations);
          const withoutProof = `c=biws,r=${serverFirst.nonce}`;
          const auth = authMessage(this.clientFirstBare, serverFirst.message, withoutProof);
          const proof = this.formatter.clientProof(salted, auth);
          this.serverSignature = this.formatter.serverSignature(this.formatter.serverKey(salted), auth);
          this.state = 'RECEIVE_SERVER_FINAL_MESSAGE';
          return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
        }
        case 'RECEIVE_SERVER_FINAL_MESSAGE': {
          const final = parseServerFinalMessage(challenge);
          if (final.error !== undefined) throw new SaslError(`Sasl authentication using ${this.mechanism.mechanismName} failed with error: ${final.error}`);
          if (!final.serverSignature!.equals(this.serverSignature!)) throw new SaslError('Invalid server signature in server final message');
          this.state = 'COMPLETE';
          return Buffer.alloc(0);
        }
        default:
          throw new SaslError(`Unexpected challenge in Sasl client state ${this.state}`);
      }
    } catch (e) {
      this.state = 'FAILED';
      throw e instanceof SaslError ? e : new SaslError((e as Error).message);
    }
  }

  isComplete(): boolean {
    return this.state === 'COMPLETE';
  }
}

/**
 * Kafka's CredentialCache for SCRAM: per mechanism, each user's ScramCredential. The broker fills
 * it from /config/users/<user> at start and on every users/<user> change notification (Kafka's
 * CredentialProvider.updateCredentials: a user's mechanisms not in its config are removed), and
 * the SCRAM servers read it for each authentication, so a credential added or changed while the
 * broker runs applies to the next login.
 */
import { credentialFromString, type ScramCredential } from './ScramCredential';
import { SCRAM_MECHANISMS, type ScramMechanism, type ScramMechanismName } from './ScramMechanism';

export class CredentialCache {
  private readonly byMechanism = new Map<ScramMechanismName, Map<string, ScramCredential>>(
    SCRAM_MECHANISMS.map((m) => [m.mechanismName, new Map()]),
  );

  get(username: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.byMechanism.get(mechanism.mechanismName)?.get(username);
  }

  /**
   * Replaces `username`'s credentials with those in its user config (`SCRAM-SHA-256` →
   * `salt=…,stored_key=…,server_key=…,iterations=…`); other keys (quotas) are ignored. Returns the
   * mechanisms whose credential could not be read (it is removed, as Kafka does).
   */
  updateCredentials(username: string, config: ReadonlyMap<string, string>): string[] {
    const bad: string[] = [];
    for (const [mechanism, users] of this.byMechanism) {
      const value = config.get(mechanism);
      if (value === undefined) {
        users.delete(username);
        continue;
      }
      try {
        users.set(username, credentialFromString(value));
      } catch {
        users.delete(username);
        bad.push(mechanism);
      }
    }
    return bad;
  }

  /** The users with a credential for `mechanism` (tests, diagnostics). */
  users(mechanism: ScramMechanismName): string[] {
    return [...(this.byMechanism.get(mechanism)?.keys() ?? [])];
  }
}

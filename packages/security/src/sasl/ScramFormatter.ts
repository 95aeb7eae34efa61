/**
 * Kafka's ScramFormatter: the arithmetic of RFC 5802 for one mechanism.
 *   SaltedPassword = Hi(password, salt, i)       (PBKDF2 with HMAC-H)
 *   ClientKey = HMAC(SaltedPassword, "Client Key"),  StoredKey = H(ClientKey)
 *   ServerKey = HMAC(SaltedPassword, "Server Key")
 *   ClientSignature = HMAC(StoredKey, AuthMessage),  ClientProof = ClientKey XOR ClientSignature
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ScramCredential } from './ScramCredential';
import type { ScramMechanism } from './ScramMechanism';

export class ScramFormatter {
  constructor(readonly mechanism: ScramMechanism) {}

  hmac(key: Buffer, message: Buffer): Buffer {
    return createHmac(this.mechanism.hashAlgorithm, key).update(message).digest();
  }

  hash(message: Buffer): Buffer {
    return createHash(this.mechanism.hashAlgorithm).update(message).digest();
  }

  /** Hi(): PBKDF2 over the UTF-8 password (Kafka normalizes nothing either). */
  saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
    return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, this.mechanism.keyLength, this.mechanism.hashAlgorithm);
  }

  clientKey(saltedPassword: Buffer): Buffer {
    return this.hmac(saltedPassword, Buffer.from('Client Key'));
  }

  storedKey(clientKey: Buffer): Buffer {
    return this.hash(clientKey);
  }

  serverKey(saltedPassword: Buffer): Buffer {
    return this.hmac(saltedPassword, Buffer.from('Server Key'));
  }

  clientSignature(storedKey: Buffer, authMessage: string): Buffer {
    return this.hmac(storedKey, Buffer.from(authMessage, 'utf8'));
  }

  clientProof(saltedPassword: Buffer, authMessage: string): Buffer {
    const clientKey = this.clientKey(saltedPassword);
    return xor(clientKey, this.clientSignature(this.storedKey(clientKey), authMessage));
  }

  serverSignature(serverKey: Buffer, authMessage: string): Buffer {
    return this.hmac(serverKey, Buffer.from(authMessage, 'utf8'));
  }

  /** The stored key a proof claims: H(ClientProof XOR ClientSignature). */
  storedKeyOfProof(storedKey: Buffer, proof: Buffer, authMessage: string): Buffer {
    return this.hash(xor(proof, this.clientSignature(storedKey, authMessage)));
  }

  /** True when `proof` was made from the password `credential` was made from (constant time). */
  verifyClientProof(credential: ScramCredential, proof: Buffer, authMessage: string): boolean {
    if (proof.length !== credential.storedKey.length) return false;
    return timingSafeEqual(this.storedKeyOfProof(credential.storedKey, proof, authMessage), credential.storedKey);
  }

  /** Kafka's generateCredential(salt, saltedPassword, iterations): AlterUserScramCredentials sends no password. */
  credentialFromSaltedPassword(salt: Buffer, saltedPassword: Buffer, iterations: number): ScramCredential {
    return { salt, storedKey: this.storedKey(this.clientKey(saltedPassword)), serverKey: this.serverKey(saltedPassword), iterations };
  }

  /** Kafka's generateCredential: a fresh salt (secureRandomBytes) unless one is given. */
  generateCredential(password: string, iterations: number, salt: Buffer = secureRandomBytes()): ScramCredential {
    const salted = this.saltedPassword(password, salt, iterations);
    return {
      salt,
      storedKey: this.storedKey(this.clientKey(salted)),
      serverKey: this.serverKey(salted),
      iterations,
    };
  }
}

export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) throw new Error('Argument arrays must be of the same length');
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/**
 * Kafka's ScramFormatter.secureRandomString: 130 random bits written in base 36 (lower-case letters
 * and digits, up to 26 characters). Server nonces and salts are made of it.
 */
export function secureRandomString(): string {
  const bytes = randomBytes(17);
  bytes[0] &= 0x03; // 130 bits
  return BigInt(`0x${bytes.toString('hex')}`).toString(36);
}

/** Kafka's secureRandomBytes: the UTF-8 bytes of a secureRandomString (what its salts are). */
export function secureRandomBytes(): Buffer {
  return Buffer.from(secureRandomString(), 'utf8');
}

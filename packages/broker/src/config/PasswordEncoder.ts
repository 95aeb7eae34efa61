/**
 * Kafka's PasswordEncoder (kafka.utils, 2.8): how a dynamic broker password (a listener's keystore
 * or key password, a JAAS config) is stored in /config/brokers/<id> — never in the clear, but
 * encrypted with a key derived from `password.encoder.secret` (PBKDF2 over a fresh 256-byte salt),
 * written as Kafka's comma-separated `name:value` map so a Kafka broker with the same secret reads
 * what Samsa wrote, and the other way round.
 */
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ConfigDef } from './definitions';

export interface PasswordEncoderOptions {
  readonly secret: string;
  /** password.encoder.keyfactory.algorithm; Kafka's default is PBKDF2WithHmacSHA512. */
  readonly keyFactoryAlgorithm?: string | null;
  /** password.encoder.cipher.algorithm: AES/CBC/PKCS5Padding (default) or AES/GCM/NoPadding. */
  readonly cipherAlgorithm?: string;
  /** password.encoder.key.length, in bits. */
  readonly keyLength?: number;
  /** password.encoder.iterations */
  readonly iterations?: number;
}

const HASHES: Readonly<Record<string, string>> = {
  PBKDF2WithHmacSHA512: 'sha512',
  PBKDF2WithHmacSHA256: 'sha256',
  PBKDF2WithHmacSHA1: 'sha1',
};

/** The Node cipher of a Java transformation, and whether it is GCM (tag appended, as Java does). */
function nodeCipher(cipherAlgorithm: string, keyLength: number): { name: string; gcm: boolean } {
  const m = /^AES\/(CBC|GCM)\/(PKCS5Padding|NoPadding)$/.exec(cipherAlgorithm);
  if (m === null) throw new Error(`Unsupported password.encoder.cipher.algorithm ${cipherAlgorithm} (AES/CBC/PKCS5Padding or AES/GCM/NoPadding)`);
  return { name: `aes-${keyLength}-${m[1].toLowerCase()}`, gcm: m[1] === 'GCM' };
}

/** Kafka's CoreUtils.parseCsvMap: `k:v,k:v`, the value after the first colon. */
function parseCsvMap(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    const i = part.indexOf(':');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

export class PasswordEncoder {
  private readonly keyFactoryAlgorithm: string;
  private readonly cipherAlgorithm: string;
  private readonly keyLength: number;
  private readonly iterations: number;

  constructor(private readonly o: PasswordEncoderOptions) {
    this.keyFactoryAlgorithm = o.keyFactoryAlgorithm ?? 'PBKDF2WithHmacSHA512';
    this.cipherAlgorithm = o.cipherAlgorithm ?? 'AES/CBC/PKCS5Padding';
    this.keyLength = o.keyLength ?? 128;
    this.iterations = o.iterations ?? 4096;
    if (HASHES[this.keyFactoryAlgorithm] === undefined)
      throw new Error(`Unsupported password.encoder.keyfactory.algorithm ${this.keyFactoryAlgorithm}`);
    nodeCipher(this.cipherAlgorithm, this.keyLength);
  }

  private key(keyFactoryAlgorithm: string, salt: Buffer, iterations: number, keyLength: number): Buffer {
    const hash = HASHES[keyFactoryAlgorithm];
    if (hash === undefined) throw new Error(`Unsupported key factory algorithm ${keyFactoryAlgorithm}`);
    // Java's PBEKeySpec hands PBKDF2 the secret's characters as UTF-8
    return pbkdf2Sync(Buffer.from(this.o.secret, 'utf8'), salt, iterations, keyLength / 8, hash);
  }

  encode(password: string): string {
    const salt = randomBytes(256);
    const { name, gcm } = nodeCipher(this.cipherAlgorithm, this.keyLength);
    const iv = randomBytes(gcm ? 12 : 16);
    const cipher = createCipheriv(name, this.key(this.keyFactoryAlgorithm, salt, this.iterations, this.keyLength), iv);
    let encrypted = Buffer.concat([cipher.update(password, 'utf8'), cipher.final()]);
    if (gcm) encrypted = Buffer.concat([encrypted, (cipher as unknown as { getAuthTag(): Buffer }).getAuthTag()]);
    const fields: [string, string][] = [
      ['keyFactoryAlgorithm', this.keyFactoryAlgorithm],
      ['cipherAlgorithm', this.cipherAlgorithm],
      ['keyLength', String(this.keyLength)],
      ['salt', salt.toString('base64')],
      ['iterations', String(this.iterations)],
      ['encryptedPassword', encrypted.toString('base64')],
      ['passwordLength', String(password.length)],
      ['initializationVector', iv.toString('base64')],
    ];
    if (gcm) fields.push(['authenticationTagLength', '128']);
    return fields.map(([k, v]) => `${k}:${v}`).join(',');
  }

  /** The password of an encoded value; throws "Invalid password" (Kafka's words) when it does not decrypt. */
  decode(encoded: string): string {
    const p = parseCsvMap(encoded);
    const need = (k: string): string => {
      const v = p.get(k);
      if (v === undefined) throw new Error(`Encoded password has no ${k}`);
      return v;
    };
    const keyLength = Number(need('keyLength'));
    const { name, gcm } = nodeCipher(need('cipherAlgorithm'), keyLength);
    const key = this.key(need('keyFactoryAlgorithm'), Buffer.from(need('salt'), 'base64'), Number(need('iterations')), keyLength);
    const iv = Buffer.from(need('initializationVector'), 'base64');
    let data = Buffer.from(need('encryptedPassword'), 'base64');
    let password: string;
    try {
      const decipher = createDecipheriv(name, key, iv);
      if (gcm) {
        (decipher as unknown as { setAuthTag(t: Buffer): void }).setAuthTag(data.subarray(data.length - 16));
        data = data.subarray(0, data.length - 16);
      }
      password = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('Invalid password');
    }
    if (password.length !== Number(need('passwordLength')))
      throw new Error('Password could not be decoded, sanity check of length failed');
    return password;
  }
}

const d = (type: ConfigDef['type'], def: ConfigDef['default'], doc: string, extra: Partial<ConfigDef> = {}): ConfigDef => ({
  type,
  default: def,
  doc,
  ...extra,
});

/** Kafka 2.8's password.encoder.* settings (static). */
export const PASSWORD_ENCODER_CONFIG_DEFS: Readonly<Record<string, ConfigDef>> = {
  'password.encoder.secret': d('password', null, 'Secret the dynamic broker passwords in ZooKeeper are encrypted with; without it AlterConfigs refuses them'),
  'password.encoder.old.secret': d('password', null, 'The secret used before password.encoder.secret: passwords it encrypted are still read'),
  'password.encoder.keyfactory.algorithm': d('string', null, 'PBKDF2 variant deriving the key (default PBKDF2WithHmacSHA512)'),
  'password.encoder.cipher.algorithm': d('string', 'AES/CBC/PKCS5Padding', 'Cipher of the dynamic passwords (AES/CBC/PKCS5Padding or AES/GCM/NoPadding)'),
  'password.encoder.key.length': d('int', 128, 'Key length in bits', { min: 8 }),
  'password.encoder.iterations': d('int', 4096, 'PBKDF2 iterations', { min: 1024 }),
};

/** The broker's encoders from its settings: the current one, and the old one for reading; none without a secret. */
export function passwordEncodersOf(get: (key: string) => unknown): { current: PasswordEncoder | null; old: PasswordEncoder | null } {
  const make = (secretKey: string): PasswordEncoder | null => {
    const secret = get(secretKey);
    if (typeof secret !== 'string' || secret === '') return null;
    return new PasswordEncoder({
      secret,
      keyFactoryAlgorithm: (get('password.encoder.keyfactory.algorithm') as string | null) ?? null,
      cipherAlgorithm: get('password.encoder.cipher.algorithm') as string,
      keyLength: get('password.encoder.key.length') as number,
      iterations: get('password.encoder.iterations') as number,
    });
  };
  return { current: make('password.encoder.secret'), old: make('password.encoder.old.secret') };
}

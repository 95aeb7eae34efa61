/** Kafka's ScramMechanism: the two SCRAM mechanisms, their hash and Kafka's iteration bounds. */
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramMechanism {
  readonly mechanismName: ScramMechanismName;
  /** The node:crypto digest name of H() and HMAC(). */
  readonly hashAlgorithm: 'sha256' | 'sha512';
  /** Output length of H(), the length of every key. */
  readonly keyLength: number;
  readonly minIterations: number;
  /** The public ScramMechanism's type byte on the wire (KIP-554): 1 SHA-256, 2 SHA-512; 0 is UNKNOWN. */
  readonly type: number;
}

export const SCRAM_SHA_256: ScramMechanism = Object.freeze({
  mechanismName: 'SCRAM-SHA-256',
  hashAlgorithm: 'sha256',
  keyLength: 32,
  minIterations: 4096,
  type: 1,
});

export const SCRAM_SHA_512: ScramMechanism = Object.freeze({
  mechanismName: 'SCRAM-SHA-512',
  hashAlgorithm: 'sha512',
  keyLength: 64,
  minIterations: 4096,
  type: 2,
});

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [SCRAM_SHA_256, SCRAM_SHA_512];

/** Kafka's ScramMechanism.forMechanismName; undefined for any other name. */
export function scramMechanism(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.mechanismName === name);
}

/** Kafka's ScramMechanism.isScram. */
export function isScram(name: string): name is ScramMechanismName {
  return scramMechanism(name) !== undefined;
}

/** Kafka's kafka-configs: an iteration count above this is refused (ScramMechanism.maxIterations). */
export const SCRAM_MAX_ITERATIONS = 16384;
/** The iterations kafka-configs writes when the user gives none (DEFAULT_ITERATIONS). */
export const SCRAM_DEFAULT_ITERATIONS = 4096;

/** The mechanism of a KIP-554 type byte; undefined for 0 (UNKNOWN) and anything else. */
export function scramMechanismOfType(type: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.type === type);
}

/**
 * Kafka's KafkaPrincipal: a type and a name, written `User:alice`. Every connection has one: the
 * anonymous user on PLAINTEXT (and on SSL without a client certificate), the mapped certificate
 * name on SSL with one, the authenticated name on SASL listeners. ACLs name principals this way.
 */
export interface KafkaPrincipal {
  /** `User` for every principal Kafka's DefaultKafkaPrincipalBuilder makes. */
  readonly principalType: string;
  readonly name: string;
}

export const USER_TYPE = 'User';

/** Kafka's KafkaPrincipal.ANONYMOUS (`User:ANONYMOUS`). */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ principalType: USER_TYPE, name: 'ANONYMOUS' });

export function userPrincipal(name: string): KafkaPrincipal {
  return { principalType: USER_TYPE, name };
}

/** `User:alice`, as ACLs and logs write it. */
export function principalToString(p: KafkaPrincipal): string {
  return `${p.principalType}:${p.name}`;
}

/**
 * Kafka's SecurityUtils.parseKafkaPrincipal: `Type:name`, split at the first colon (a name may
 * hold colons). Throws on a string without one or with an empty type.
 */
export function parseKafkaPrincipal(s: string): KafkaPrincipal {
  const colon = s.indexOf(':');
  if (colon <= 0) throw new Error(`'${s}' is not a principal of the form Type:name`);
  return { principalType: s.slice(0, colon), name: s.slice(colon + 1) };
}

export function samePrincipal(a: KafkaPrincipal, b: KafkaPrincipal): boolean {
  return a.principalType === b.principalType && a.name === b.name;
}

/**
 * Kafka's ScramCredential and ScramCredentialUtils: what the broker keeps per user and mechanism
 * (never the password), and its string form in /config/users/<user>:
 * `salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>` (fields in that order).
 */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

/** Kafka's ScramCredentialUtils.credentialToString. */
export function credentialToString(c: ScramCredential): string {
  return (
    `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},` +
    `server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Kafka's ScramCredentialUtils.credentialFromString; throws "Credentials not valid: …". */
export function credentialFromString(str: string): ScramCredential {
  const props = new Map<string, string>();
  for (const part of str.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`Credentials not valid: ${str}`);
    props.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const salt = props.get('salt');
  const storedKey = props.get('stored_key');
  const serverKey = props.get('server_key');
  const iterations = props.get('iterations');
  if (
    props.size !== 4 ||
    salt === undefined ||
    storedKey === undefined ||
    serverKey === undefined ||
    iterations === undefined ||
    ![salt, storedKey, serverKey].every((b) => BASE64.test(b)) ||
    !/^[0-9]+$/.test(iterations)
  ) {
    throw new Error(`Credentials not valid: ${str}`);
  }
  return {
    salt: Buffer.from(salt, 'base64'),
    storedKey: Buffer.from(storedKey, 'base64'),
    serverKey: Buffer.from(serverKey, 'base64'),
    iterations: Number(iterations),
  };
}

/**
 * Kafka's ScramMessages: the four SCRAM messages of RFC 5802 as Kafka reads and writes them.
 * No channel binding (gs2 header `n,,` or `n,a=<authzid>,`), SCRAM extensions after the nonce
 * (KIP-84's tokenauth) accepted and kept.
 */

/** RFC 5802 saslname: `=2C` for ',' and `=3D` for '='. Kafka's ScramFormatter.username / saslName. */
export function usernameOfSaslName(saslName: string): string {
  if (/=(?!2C|3D)/.test(saslName)) throw new Error(`Invalid username: ${saslName}`);
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export function saslNameOf(username: string): string {
  return username.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const BASE64 = '(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?';
const EXTENSIONS = '(?:,[A-Za-z]+=[\\x01-\\x2B\\x2D-\\x7F]+)*';

const CLIENT_FIRST = new RegExp(
  `^n,(?:a=(${SASLNAME}))?,(?:m=[^,]*,)?n=(${SASLNAME}),r=(${PRINTABLE})(${EXTENSIONS})$`,
);
const SERVER_FIRST = new RegExp(`^(?:m=[^,]*,)?r=(${PRINTABLE}),s=(${BASE64}),i=([0-9]+)(${EXTENSIONS})$`);
const CLIENT_FINAL = new RegExp(`^c=(${BASE64}),r=(${PRINTABLE})(${EXTENSIONS}),p=(${BASE64})$`);
const SERVER_FINAL = new RegExp(`^(?:e=([^,]*)|v=(${BASE64}))(${EXTENSIONS})$`);

export interface ClientFirstMessage {
  readonly saslName: string;
  readonly authorizationId: string;
  readonly nonce: string;
  /** `key=value` SCRAM extensions (Kafka: tokenauth=true for delegation tokens). */
  readonly extensions: ReadonlyMap<string, string>;
  /** client-first-message-bare: what the AuthMessage starts with. */
  readonly bare: string;
}

export interface ServerFirstMessage {
  readonly nonce: string;
  readonly salt: Buffer;
  readonly iterations: number;
  readonly message: string;
}

export interface ClientFinalMessage {
  readonly channelBinding: Buffer;
  readonly nonce: string;
  readonly proof: Buffer;
  /** client-final-message-without-proof: what the AuthMessage ends with. */
  readonly withoutProof: string;
}

function text(bytes: Buffer, what: string): string {
  const s = bytes.toString('utf8');
  if (!Buffer.from(s, 'utf8').equals(bytes)) throw new Error(`Invalid SCRAM ${what}: not UTF-8`);
  return s;
}

function extensionsOf(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of s.split(',').filter((p) => p !== '')) {
    const eq = kv.indexOf('=');
    out.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return out;
}

export function parseClientFirstMessage(bytes: Buffer): ClientFirstMessage {
  const s = text(bytes, 'client first message');
  const m = CLIENT_FIRST.exec(s);
  if (!m) throw new Error(`Invalid SCRAM client first message format: ${s}`);
  return {
    authorizationId: m[1] ?? '',
    saslName: m[2],
    nonce: m[3],
    extensions: extensionsOf(m[4]),
    bare: s.slice(s.indexOf(',', s.indexOf(',') + 1) + 1),
  };
}

export function clientFirstMessage(username: string, nonce: string): string {
  return `n,,n=${saslNameOf(username)},r=${nonce}`;
}

export function parseServerFirstMessage(bytes: Buffer): ServerFirstMessage {
  const s = text(bytes, 'server first message');
  const m = SERVER_FIRST.exec(s);
  if (!m) throw new Error(`Invalid SCRAM server first message format: ${s}`);
  return { nonce: m[1], salt: Buffer.from(m[2], 'base64'), iterations: Number(m[3]), message: s };
}

export function serverFirstMessage(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export function parseClientFinalMessage(bytes: Buffer): ClientFinalMessage {
  const s = text(bytes, 'client final message');
  const m = CLIENT_FINAL.exec(s);
  if (!m) throw new Error(`Invalid SCRAM client final message format: ${s}`);
  return {
    channelBinding: Buffer.from(m[1], 'base64'),
    nonce: m[2],
    proof: Buffer.from(m[4], 'base64'),
    withoutProof: s.slice(0, s.lastIndexOf(',p=')),
  };
}

export interface ServerFinalMessage {
  readonly error?: string;
  readonly serverSignature?: Buffer;
}

export function parseServerFinalMessage(bytes: Buffer): ServerFinalMessage {
  const s = text(bytes, 'server final message');
  const m = SERVER_FINAL.exec(s);
  if (!m) throw new Error(`Invalid SCRAM server final message format: ${s}`);
  return m[1] !== undefined ? { error: m[1] } : { serverSignature: Buffer.from(m[2], 'base64') };
}

/** AuthMessage = client-first-bare "," server-first "," client-final-without-proof. */
export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

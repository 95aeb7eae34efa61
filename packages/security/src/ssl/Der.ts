/**
 * Just enough DER (X.690) reading for what TLS needs without a certificate library: the subject
 * name of an X.509 certificate, and the certificates inside a PKCS#12 truststore. Each element is
 * read as tag, length and the bytes of its contents; constructed elements are read again for their
 * children. Indefinite lengths (BER) are refused: certificates and PKCS#12 files are DER.
 */
export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** The contents octets. */
  readonly value: Buffer;
  /** The whole element, header included (to hand a certificate on as DER). */
  readonly raw: Buffer;
}

export const DER = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  BMP_STRING: 0x1e,
  UNIVERSAL_STRING: 0x1c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The element that starts at `offset` of `buf`. */
export function readElement(buf: Buffer, offset = 0): DerElement {
  if (offset + 2 > buf.length) throw new Error('DER: truncated element');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let length = buf[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw new Error('DER: indefinite length is not DER');
    if (n > 4 || offset + 2 + n > buf.length) throw new Error('DER: bad length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i];
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new Error('DER: element runs past its container');
  return { tag, value: buf.subarray(offset + header, end), raw: buf.subarray(offset, end) };
}

/** The children of a constructed element, in order. */
export function children(el: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < el.value.length) {
    const child = readElement(el.value, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function oidToString(value: Buffer): string {
  if (value.length === 0) throw new Error('DER: empty OID');
  const first = value[0];
  const parts: number[] = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let n = 0;
  for (let i = 1; i < value.length; i++) {
    n = n * 128 + (value[i] & 0x7f);
    if ((value[i] & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** The child at `index`, which must have tag `tag`; `what` names it for the error. */
export function expectChild(el: DerElement, index: number, tag: number, what: string): DerElement {
  const c = children(el)[index];
  if (c === undefined || c.tag !== tag) throw new Error(`DER: ${what} not found`);
  return c;
}

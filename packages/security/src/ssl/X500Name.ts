/**
 * A certificate's subject as Kafka sees it: Java's X500Principal.getName(), RFC 2253 form. Kafka's
 * DefaultKafkaPrincipalBuilder hands exactly this string to the ssl.principal.mapping.rules, so
 * rules written for Kafka (`RULE:^CN=(.*?),OU=.*$/$1/`) must see the same text here:
 *  - RDNs most specific first (the reverse of their order in the certificate), joined by ',';
 *    the values of a multi-valued RDN joined by '+';
 *  - the keywords Java knows for RFC 2253 (CN, C, L, ST, O, OU, STREET, DC, UID); any other
 *    attribute as its dotted OID with '#' and the hex of its DER value (emailAddress too);
 *  - in values, `, = + < > # ; " \` escaped with a backslash wherever they are, and each leading
 *    or trailing space (Java's AVA.toRFC2253String).
 */
import { DER, children, expectChild, oidToString, readElement, type DerElement } from './Der';

const RFC2253_KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const ESCAPED = ',=+<>#;"\\';

function decodeString(el: DerElement): string | undefined {
  switch (el.tag) {
    case DER.UTF8_STRING:
      return el.value.toString('utf8');
    case DER.PRINTABLE_STRING:
    case DER.IA5_STRING:
    case DER.T61_STRING:
      return el.value.toString('latin1');
    case DER.BMP_STRING: {
      const swapped = Buffer.from(el.value);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      return undefined;
  }
}

function escapeValue(s: string): string {
  const chars: string[] = [];
  for (const c of s) {
    if (ESCAPED.includes(c)) chars.push('\\', c);
    else if (c === '\u0000') chars.push('\\00');
    else chars.push(c);
  }
  const space = (c: string): boolean => c === ' ' || c === '\r';
  let lead = 0;
  while (lead < chars.length && space(chars[lead])) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && space(chars[trail])) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join('');
}

function attributeToString(atv: DerElement): string {
  const [type, value] = children(atv);
  if (type?.tag !== DER.OID || value === undefined) throw new Error('X.500: bad AttributeTypeAndValue');
  const oid = oidToString(type.value);
  const keyword = RFC2253_KEYWORDS[oid];
  const text = keyword === undefined ? undefined : decodeString(value);
  if (keyword === undefined || text === undefined) return `${oid}=#${value.raw.toString('hex')}`;
  return `${keyword}=${escapeValue(text)}`;
}

/** RFC 2253 string (Java's X500Principal.getName()) of a DER-encoded Name (RDNSequence). */
export function x500NameToString(name: DerElement): string {
  if (name.tag !== DER.SEQUENCE) throw new Error('X.500: a Name is a SEQUENCE');
  return children(name)
    .reverse()
    .map((rdn) => children(rdn).map(attributeToString).join('+'))
    .join(',');
}

/**
 * The subject of a DER-encoded X.509 certificate, RFC 2253 form. tbsCertificate: [0] version
 * (optional), serialNumber, signature, issuer, validity, subject, …
 */
export function certificateSubject(der: Buffer): string {
  const cert = readElement(der);
  const tbs = expectChild(cert, 0, DER.SEQUENCE, 'tbsCertificate');
  const fields = children(tbs);
  const first = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[first + 4];
  if (subject === undefined) throw new Error('X.509: certificate has no subject');
  return x500NameToString(subject);
}

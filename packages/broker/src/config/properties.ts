/**
 * Java `.properties` syntax, as Kafka reads server.properties: `key=value`, `key: value` or
 * `key value`; `#` and `!` comment lines; a trailing backslash continues a line; `\t \n \r \f \uXXXX`
 * and escaped separators. Each entry keeps the line it started on, for error messages.
 */
export interface PropertyEntry {
  readonly value: string;
  readonly line: number;
}

export function parseProperties(text: string): Map<string, PropertyEntry> {
  const out = new Map<string, PropertyEntry>();
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = stripLeadingSpace(lines[i]);
    if (logical === '' || logical[0] === '#' || logical[0] === '!') continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + stripLeadingSpace(lines[++i]);
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    const [rawKey, rawValue] = splitKeyValue(logical);
    out.set(unescape(rawKey), { value: unescape(rawValue), line: startLine });
  }
  return out;
}

function stripLeadingSpace(s: string): string {
  return s.replace(/^[ \t\f]+/, '');
}

/** An odd number of trailing backslashes continues the line. */
function endsWithContinuation(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(s: string): [string, string] {
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = s.slice(0, i);
  let j = i;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t' || s[j] === '\f')) j++;
  if (j < s.length && (s[j] === '=' || s[j] === ':')) j++;
  while (j < s.length && (s[j] === ' ' || s[j] === '\t' || s[j] === '\f')) j++;
  return [key, s.slice(j)];
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += n;
  }
  return out;
}

/**
 * Entries as `.properties` lines that parseProperties (and Java's Properties.load) reads back
 * exactly; text stays UTF-8. Keys escape `\`, blanks and the separators `= : # !`; values escape
 * `\` and a leading blank; both write line breaks, tabs and form feeds as `\n \r \t \f`.
 */
export function formatProperties(entries: Iterable<readonly [string, string]>): string {
  const controls: Record<string, string> = { '\t': 't', '\n': 'n', '\r': 'r', '\f': 'f' };
  const escapeKey = (s: string): string => s.replace(/[\\=:#! \t\n\r\f]/g, (c) => `\\${controls[c] ?? c}`);
  const escapeValue = (s: string): string => s.replace(/[\\\t\n\r\f]|^ /g, (c) => `\\${controls[c] ?? c}`);
  let text = '';
  for (const [key, value] of entries) text += `${escapeKey(key)}=${escapeValue(value)}\n`;
  return text;
}

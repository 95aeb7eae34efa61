/**
 * A metric's JMX object name, as Kafka's Yammer metrics register them
 * (KafkaMetricsGroup.explicitMetricName): `domain:type=T,name=N,tag1=v1,…`, key properties in that
 * order, tags with an empty value left out. The same class holds any parsed object name, in the
 * order it was written.
 *
 * Values are written bare when they contain only word characters, `-`, `%`, `.`, space or tab
 * (Kafka's Sanitizer.jmxSanitize), and quoted otherwise (ObjectName.quote: `"…"` with `\"`, `\\`,
 * `\*`, `\?` and `\n` escaped). A property keeps its value as written (quotes included), as JMX
 * does, so `a="x"` and `a=x` are different names.
 */
export type KeyProperty = readonly [key: string, value: string];

const BARE_VALUE = /^[\w\-%. \t]*$/;
const ILLEGAL_KEY = /[:,=*?"\n]/;

export class MetricName {
  /** The name as written: `domain:k1=v1,k2=v2`. */
  readonly mbeanName: string;
  /** Keys sorted (JMX's canonical name): equal names have equal canonical names. */
  readonly canonicalName: string;

  constructor(
    readonly domain: string,
    readonly keyProperties: readonly KeyProperty[],
  ) {
    this.mbeanName = `${domain}:${keyProperties.map(([k, v]) => `${k}=${v}`).join(',')}`;
    this.canonicalName = `${domain}:${canonicalKeyPropertyList(keyProperties)}`;
  }

  /** Kafka's metric name: type, name, then the tags in order (values quoted when they must be). */
  static of(domain: string, type: string, name: string, tags: readonly KeyProperty[] = []): MetricName {
    const props: KeyProperty[] = [['type', type]];
    if (name.length > 0) props.push(['name', name]);
    for (const [k, v] of tags) if (v.length > 0) props.push([k, quoteIfNeeded(v)]);
    return new MetricName(domain, props);
  }

  /** Parses a plain (not pattern) object name; throws MalformedNameError. */
  static parse(text: string): MetricName {
    const parsed = parseObjectName(text);
    if (parsed.isPattern) throw new MalformedNameError(`${text} is a pattern, not an object name`);
    return new MetricName(parsed.domain, parsed.keyProperties);
  }

  /** The raw value of a key property (quotes included), or undefined. */
  get(key: string): string | undefined {
    for (const [k, v] of this.keyProperties) if (k === key) return v;
    return undefined;
  }

  /** The value of a key property with quoting undone. */
  getUnquoted(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : unquote(v);
  }

  get type(): string | undefined {
    return this.get('type');
  }

  get name(): string | undefined {
    return this.get('name');
  }

  /** The key properties after the domain, in registration order or sorted (canonical). */
  keyPropertyList(canonical = false): string {
    return canonical ? canonicalKeyPropertyList(this.keyProperties) : this.mbeanName.slice(this.domain.length + 1);
  }

  /** The full name as Jolokia prints it: as written, or canonical (keys sorted). */
  toString(canonical = false): string {
    return canonical ? this.canonicalName : this.mbeanName;
  }
}

export class MalformedNameError extends Error {}

function canonicalKeyPropertyList(props: readonly KeyProperty[]): string {
  return [...props]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Quotes a value the way Kafka's Sanitizer.jmxSanitize does: only when it has to. */
export function quoteIfNeeded(value: string): string {
  return BARE_VALUE.test(value) ? value : quote(value);
}

/** JMX's ObjectName.quote. */
export function quote(value: string): string {
  let out = '"';
  for (const c of value) {
    if (c === '"' || c === '*' || c === '?' || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else out += c;
  }
  return `${out}"`;
}

/** JMX's ObjectName.unquote; a bare value is returned as is. */
export function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  let out = '';
  for (let i = 1; i < value.length - 1; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length - 1) {
      const next = value[++i];
      out += next === 'n' ? '\n' : next;
    } else out += c;
  }
  return out;
}

export interface ParsedObjectName {
  readonly domain: string;
  readonly keyProperties: readonly KeyProperty[];
  /** `,*` (or `*` alone) after the properties: other keys may be present too. */
  readonly propertyListPattern: boolean;
  /** A wildcard in the domain, in a value, or a property list pattern. */
  readonly isPattern: boolean;
}

/**
 * Parses `domain:key=value,…[,*]` with JMX's rules: the domain ends at the first `:`; keys are
 * non-empty and unique and hold none of `:,=*?"`; values are bare (no `,=:"`) or quoted; `*` and
 * `?` in the domain or in a value make a pattern, and so does a lone `*` property.
 */
export function parseObjectName(text: string): ParsedObjectName {
  const colon = text.indexOf(':');
  if (colon < 0) throw new MalformedNameError(`${text}: no ':' after the domain`);
  const domain = text.slice(0, colon);
  if (domain.includes('\n')) throw new MalformedNameError(`${text}: invalid character in the domain`);
  const rest = text.slice(colon + 1);
  const props: KeyProperty[] = [];
  const seen = new Set<string>();
  let propertyListPattern = false;
  let valuePattern = false;
  let i = 0;
  if (rest.length === 0) throw new MalformedNameError(`${text}: no key properties`);
  while (i < rest.length) {
    if (rest[i] === '*' && (i + 1 === rest.length || rest[i + 1] === ',')) {
      if (propertyListPattern) throw new MalformedNameError(`${text}: '*' twice`);
      propertyListPattern = true;
      i += 2;
      continue;
    }
    const eq = rest.indexOf('=', i);
    if (eq < 0) throw new MalformedNameError(`${text}: a key property without '='`);
    const key = rest.slice(i, eq);
    if (key.length === 0 || ILLEGAL_KEY.test(key)) throw new MalformedNameError(`${text}: invalid key '${key}'`);
    if (seen.has(key)) throw new MalformedNameError(`${text}: key '${key}' given twice`);
    seen.add(key);
    let j = eq + 1;
    let value: string;
    if (rest[j] === '"') {
      j++;
      let closed = false;
      while (j < rest.length) {
        const c = rest[j];
        if (c === '\\') {
          const next = rest[j + 1];
          // an escaped wildcard is a literal character, not a pattern
          if (next === undefined || !'"*?\\n'.includes(next)) throw new MalformedNameError(`${text}: invalid escape in a quoted value`);
          j += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          j++;
          break;
        }
        if (c === '*' || c === '?') valuePattern = true;
        if (c === '\n') throw new MalformedNameError(`${text}: newline in a quoted value`);
        j++;
      }
      if (!closed) throw new MalformedNameError(`${text}: unterminated quoted value`);
      value = rest.slice(eq + 1, j);
      if (j < rest.length && rest[j] !== ',') throw new MalformedNameError(`${text}: text after a quoted value`);
    } else {
      const comma = rest.indexOf(',', j);
      value = rest.slice(j, comma < 0 ? rest.length : comma);
      if (/[=:"\n]/.test(value)) throw new MalformedNameError(`${text}: invalid character in the value of '${key}'`);
      if (value.includes('*') || value.includes('?')) valuePattern = true;
      j = comma < 0 ? rest.length : comma;
    }
    if (value.length === 0) throw new MalformedNameError(`${text}: empty value for '${key}'`);
    props.push([key, value]);
    i = j + 1;
    if (j === rest.length - 1) throw new MalformedNameError(`${text}: trailing ','`);
  }
  if (props.length === 0 && !propertyListPattern) throw new MalformedNameError(`${text}: no key properties`);
  const domainPattern = domain.includes('*') || domain.includes('?');
  return {
    domain,
    keyProperties: props,
    propertyListPattern,
    isPattern: propertyListPattern || valuePattern || domainPattern,
  };
}

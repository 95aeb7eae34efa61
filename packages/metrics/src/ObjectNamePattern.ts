import { MetricName, parseObjectName, type KeyProperty, type ParsedObjectName } from './MetricName';

/**
 * JMX object name matching, as Jolokia's read and search apply it (ObjectName.apply):
 *   - the domain may hold `*` (any run of characters) and `?` (one character);
 *   - each key property of the pattern must be present, its value equal or, with `*`/`?` in it,
 *     matching as a wildcard (values compared as written, quotes included);
 *   - without `,*` at the end the name must have no other key; with it, any others.
 * A plain name is a pattern that matches only itself (in any key order).
 */
export class ObjectNamePattern {
  private readonly domainRegex: RegExp | null;
  private readonly valueRegexes: ReadonlyMap<string, RegExp>;

  private constructor(
    readonly text: string,
    readonly parsed: ParsedObjectName,
  ) {
    this.domainRegex = hasWildcard(parsed.domain) ? wildcardRegex(parsed.domain) : null;
    const regexes = new Map<string, RegExp>();
    for (const [k, v] of parsed.keyProperties) if (hasWildcard(v)) regexes.set(k, wildcardRegex(v));
    this.valueRegexes = regexes;
  }

  /** Throws MalformedNameError. */
  static parse(text: string): ObjectNamePattern {
    return new ObjectNamePattern(text, parseObjectName(text));
  }

  get isPattern(): boolean {
    return this.parsed.isPattern;
  }

  get domain(): string {
    return this.parsed.domain;
  }

  /** The exact value a key must have, when the pattern fixes it (no wildcard); else undefined. */
  fixedValue(key: string): string | undefined {
    for (const [k, v] of this.parsed.keyProperties) if (k === key && !this.valueRegexes.has(k)) return v;
    return undefined;
  }

  /** True when the domain can be `domain` (cheap pre-check before enumerating a provider). */
  matchesDomain(domain: string): boolean {
    return this.domainRegex ? this.domainRegex.test(domain) : this.parsed.domain === domain;
  }

  matches(name: MetricName): boolean {
    if (!this.matchesDomain(name.domain)) return false;
    const { keyProperties, propertyListPattern } = this.parsed;
    if (!propertyListPattern && keyProperties.length !== name.keyProperties.length) return false;
    for (const [k, v] of keyProperties) {
      const actual = name.get(k);
      if (actual === undefined) return false;
      const regex = this.valueRegexes.get(k);
      if (regex ? !regex.test(actual) : actual !== v) return false;
    }
    return true;
  }

  /** The pattern as a plain name (only when it is not a pattern). */
  toName(): MetricName {
    return new MetricName(this.parsed.domain, this.parsed.keyProperties as KeyProperty[]);
  }
}

/** `*` or `?` not escaped with a backslash (escapes only exist inside quoted values). */
function hasWildcard(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '*' || s[i] === '?') return true;
  }
  return false;
}

function wildcardRegex(s: string): RegExp {
  let source = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      source += escapeRegex(s.slice(i, i + 2));
      i++;
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * ssl.principal.mapping.rules (KIP-371): how the broker turns a client certificate's subject (RFC
 * 2253, see X500Name) into the name of its User principal. The syntax and its corner cases are
 * Kafka's SslPrincipalMapper: a comma-separated list of `DEFAULT` (the whole DN) and
 * `RULE:pattern/replacement/[LU]`; the first rule whose pattern matches the whole DN gives the name
 * (every match of the pattern in the DN replaced, like Java's String.replaceAll), lower- or
 * upper-cased when the rule ends in L or U. A DN no rule matches has no principal: the connection
 * is refused (Kafka's NoMatchingRule fails the authentication).
 */

const RULE_PATTERN = '(DEFAULT)|RULE:((\\\\.|[^\\\\/])*)/((\\\\.|[^\\\\/])*)/([LU]?).*?|(.*?)';
const RULE_SPLITTER = new RegExp(`\\s*(${RULE_PATTERN})\\s*(,\\s*|$)`, 'g');
const RULE_PARSER = new RegExp(`^(?:${RULE_PATTERN})`);

export class NoMatchingRule extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoMatchingRule';
  }
}

interface Rule {
  readonly isDefault: boolean;
  readonly source: string;
  readonly whole?: RegExp;
  readonly all?: RegExp;
  readonly groupCount: number;
  readonly replacement: string;
  readonly toLowerCase: boolean;
  readonly toUpperCase: boolean;
}

function compile(pattern: string, flags: string, rule: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new Error(`Invalid rule: ${rule}: ${(e as Error).message}`);
  }
}

/**
 * Java's Matcher.appendReplacement over one match, with Kafka's escapeLiteralBackReferences: `\c`
 * is a literal c; `$n` a group, taking more digits while the number stays a group; a `$n` whose
 * first digit names no group stays literal text.
 */
function javaReplacement(replacement: string, groups: readonly (string | undefined)[], groupCount: number): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\' && i + 1 < replacement.length) {
      out += replacement[++i];
    } else if (c === '$' && /[0-9]/.test(replacement[i + 1] ?? '')) {
      let ref = Number(replacement[i + 1]);
      if (ref > groupCount) {
        out += c;
        continue;
      }
      i++;
      while (/[0-9]/.test(replacement[i + 1] ?? '') && ref * 10 + Number(replacement[i + 1]) <= groupCount) {
        ref = ref * 10 + Number(replacement[++i]);
      }
      out += groups[ref] ?? '';
    } else {
      out += c;
    }
  }
  return out;
}

function parseRule(rule: string): Rule | undefined {
  const m = RULE_PARSER.exec(rule);
  if (!m) throw new Error(`Invalid rule: ${rule}`);
  if (m[0].length !== rule.length) {
    throw new Error(`Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``);
  }
  if (m[1] !== undefined) {
    return { isDefault: true, source: 'DEFAULT', groupCount: 0, replacement: '', toLowerCase: false, toUpperCase: false };
  }
  if (m[2] === undefined) return undefined; // empty rules are ignored
  const pattern = m[2];
  const groupCount = new RegExp(`${pattern}|`).exec('')!.length - 1;
  return {
    isDefault: false,
    source: `RULE:${pattern}/${m[4]}${m[6] ? `/${m[6]}` : ''}`,
    whole: compile(`^(?:${pattern})$`, '', rule),
    all: compile(pattern, 'g', rule),
    groupCount,
    replacement: m[4],
    toLowerCase: m[6] === 'L',
    toUpperCase: m[6] === 'U',
  };
}

export class SslPrincipalMapper {
  private readonly rules: readonly Rule[];

  /** Throws on a rule Kafka would refuse (the broker does not start). */
  constructor(rules: string | null | undefined) {
    const text = (rules ?? 'DEFAULT').trim();
    const parts = [...text.matchAll(RULE_SPLITTER)].map((m) => m[1]);
    this.rules = parts.map(parseRule).filter((r): r is Rule => r !== undefined);
  }

  /** The principal name for `distinguishedName`; throws NoMatchingRule when no rule applies. */
  getName(distinguishedName: string): string {
    for (const r of this.rules) {
      const name = apply(r, distinguishedName);
      if (name !== undefined) return name;
    }
    throw new NoMatchingRule(`No rules apply to ${distinguishedName}, rules [${this.rules.map((r) => r.source).join(', ')}]`);
  }

  toString(): string {
    return `SslPrincipalMapper(rules = [${this.rules.map((r) => r.source).join(', ')}])`;
  }
}

function apply(rule: Rule, dn: string): string | undefined {
  if (rule.isDefault) return dn;
  if (!rule.whole!.test(dn)) return undefined;
  const result = dn.replace(rule.all!, (...args: unknown[]) => {
    const groups = args.slice(0, rule.groupCount + 1) as (string | undefined)[];
    return javaReplacement(rule.replacement, groups, rule.groupCount);
  });
  if (rule.toLowerCase) return result.toLowerCase();
  if (rule.toUpperCase) return result.toUpperCase();
  return result;
}

import { readAttributes, type AttributeValue } from '../attributes';
import type { NamedMetric } from '../Metric';
import type { MetricName } from '../MetricName';
import { PERCENTILES } from '../Snapshot';
import { KAFKA_2_0_0_RULES, type JmxExporterRule } from './jmxExporterRules';

/** One line of the text format: labels in order, and the value. */
export interface PrometheusSample {
  readonly labels?: readonly (readonly [string, string])[];
  readonly value: number;
}

/** Samples of one metric name, with its HELP and TYPE lines. */
export interface PrometheusFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'untyped';
  readonly help: string;
  readonly samples: readonly PrometheusSample[];
}

/** What one attribute of one MBean becomes: a family name and labels (cached per MBean and attribute). */
export interface Mapping {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly labels: readonly (readonly [string, string])[];
}

/**
 * The only attributes a rule of the Kafka configuration can match (Value, Count, NNthPercentile):
 * the others (rates, Min, Max, …) are skipped without trying every rule on them.
 */
const EXPORTABLE = new Set(['Value', 'Count', ...PERCENTILES.map(([n]) => n)]);
const MAX_CACHED_MAPPINGS = 200_000;

/**
 * Renders metrics in the Prometheus text format 0.0.4 under the names the Prometheus JMX exporter
 * gives Kafka's MBeans with its kafka-2_0_0 rules. Each attribute is written as the exporter
 * formats it for matching — `domain<key=value, key=value><>Attribute` with the keys in
 * registration order — and the rules are applied as the exporter does (first match wins,
 * `lowercaseOutputName`, names and label names made safe, labels with an empty name or value
 * dropped). Rule results are cached per MBean and attribute, as with `cacheRules: true`, so a
 * scrape costs regular expressions only for names it has not seen.
 */
export class PrometheusExporter {
  private readonly rules: readonly { rule: JmxExporterRule; regex: RegExp }[];
  private readonly cache = new Map<string, Mapping | null>();

  constructor(rules: readonly JmxExporterRule[] = KAFKA_2_0_0_RULES) {
    this.rules = rules.map((rule) => ({ rule, regex: new RegExp(`^.*(?:${rule.pattern}).*$`, 's') }));
  }

  /** The exposition text: the metrics' families, then `extra` (e.g. process metrics). */
  render(metrics: Iterable<NamedMetric>, extra: readonly PrometheusFamily[] = []): string {
    const families = new Map<string, { type: string; help: string; lines: string[] }>();
    for (const { name, metric } of metrics) {
      const wanted: string[] = [];
      for (const attr of attributeNamesOf(metric.kind)) if (EXPORTABLE.has(attr)) wanted.push(attr);
      const values = readAttributes(metric, wanted);
      for (const attr of wanted) {
        const value = numeric(values[attr]);
        if (value === null) continue;
        const mapping = this.mapping(name, attr);
        if (mapping === null) continue;
        let family = families.get(mapping.name);
        if (!family) {
          family = { type: mapping.type, help: `Attribute exposed for management ${name.canonicalName},attribute=${attr}`, lines: [] };
          families.set(mapping.name, family);
        }
        family.lines.push(sampleLine(mapping.name, mapping.labels, value));
      }
    }
    for (const f of extra) {
      families.set(f.name, {
        type: f.type,
        help: f.help,
        lines: f.samples.map((s) => sampleLine(f.name, s.labels ?? [], s.value)),
      });
    }
    let out = '';
    for (const [name, f] of families) {
      out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n`;
      for (const line of f.lines) out += line;
    }
    return out;
  }

  /** The rule result for one MBean attribute (exported for tests). */
  mapping(name: MetricName, attr: string): Mapping | null {
    const key = `${name.mbeanName}\u0000${attr}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const result = this.applyRules(name, attr);
    if (this.cache.size >= MAX_CACHED_MAPPINGS) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }

  private applyRules(name: MetricName, attr: string): Mapping | null {
    const input = `${name.domain}<${name.keyProperties.map(([k, v]) => `${k}=${v}`).join(', ')}><>${attr}`;
    for (const { rule, regex } of this.rules) {
      const m = regex.exec(input);
      if (!m) continue;
      const labels: (readonly [string, string])[] = [];
      for (const [nameTemplate, valueTemplate] of rule.labels) {
        const labelName = safeName(substitute(nameTemplate, m));
        const labelValue = substitute(valueTemplate, m);
        if (labelName !== '' && labelValue !== '') labels.push([labelName, labelValue]);
      }
      return {
        name: safeName(substitute(rule.name, m).toLowerCase()),
        type: rule.type === 'COUNTER' ? 'counter' : 'gauge',
        labels,
      };
    }
    return null;
  }
}

function attributeNamesOf(kind: NamedMetric['metric']['kind']): readonly string[] {
  switch (kind) {
    case 'Gauge':
      return ['Value'];
    case 'Meter':
      return ['Count'];
    default:
      return ['Count', ...PERCENTILES.map(([n]) => n)];
  }
}

/** Java's Matcher.replaceAll template: `$n` is group n (empty when it did not take part). */
function substitute(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\d+)/g, (_, n: string) => m[Number(n)] ?? '');
}

/** The exporter's safeName: characters outside [a-zA-Z0-9:_] become `_`, runs of `_` collapse. */
export function safeName(s: string): string {
  let out = s.length > 0 && s[0] >= '0' && s[0] <= '9' ? '_' : '';
  let prevUnderscore = false;
  for (const c of s) {
    const legal = /[a-zA-Z0-9:]/.test(c);
    if (!legal) {
      if (!prevUnderscore) out += '_';
      prevUnderscore = true;
    } else {
      out += c;
      prevUnderscore = false;
    }
  }
  return out;
}

function numeric(v: AttributeValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function sampleLine(name: string, labels: readonly (readonly [string, string])[], value: number): string {
  const labelText = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
  return `${name}${labelText} ${formatValue(value)}\n`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

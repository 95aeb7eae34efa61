import { disk } from './disk';

/**
 * A log directory's `meta.properties` (Kafka's BrokerMetadataCheckpoint): Java properties text,
 * `version=0`, `broker.id`, and since 2.4 `cluster.id`. A directory that belongs to another broker
 * or another cluster must not be used.
 */
export interface BrokerMetadata {
  readonly brokerId: number;
  readonly clusterId?: string;
}

export class InconsistentBrokerMetadataError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'InconsistentBrokerMetadataError';
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date#toString in UTC: `Sat Nov 21 23:13:38 UTC 2026` (the comment Properties.store writes). */
export function javaDateString(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** Parses Java properties text (the subset Kafka writes: `key=value` lines and `#` comments). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

export class BrokerMetadataCheckpoint {
  constructor(readonly path: string) {}

  /** The metadata, or null when the file does not exist. Throws on a malformed file. */
  read(): BrokerMetadata | null {
    if (!disk.exists(this.path)) return null;
    const props = parseProperties(disk.readFile(this.path).toString('utf8'));
    const version = props.get('version');
    if (version !== '0' && version !== '1')
      throw new InconsistentBrokerMetadataError(`Unrecognized version of ${this.path}: ${version}`);
    const id = props.get('broker.id') ?? props.get('node.id');
    if (id === undefined || !/^-?\d+$/.test(id))
      throw new InconsistentBrokerMetadataError(`${this.path} has no valid broker.id`);
    const clusterId = props.get('cluster.id');
    return { brokerId: Number(id), ...(clusterId ? { clusterId } : {}) };
  }

  write(meta: BrokerMetadata, nowMs = Date.now()): void {
    const lines = ['#', `#${javaDateString(nowMs)}`];
    if (meta.clusterId !== undefined) lines.push(`cluster.id=${meta.clusterId}`);
    lines.push('version=0', `broker.id=${meta.brokerId}`);
    disk.writeFileAtomic(this.path, Buffer.from(lines.join('\n') + '\n', 'utf8'));
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as path from 'path';
import { trackProcess, withTimeout } from '../harness';
import type { ProducerRecords, SentRecord } from './exactlyOnceChecker';
import { KCAT } from './support';

/** The Debian Python: the only interpreter that sees python3-confluent-kafka. */
const PYTHON = '/usr/bin/python3';
const CONFLUENT_DRIVER = path.resolve(__dirname, '..', 'interop', 'python', 'confluent_stdin_producer.py');

/** "Message delivered to partition 1 (offset 7) on broker 0" (kcat -vv's delivery report). */
const KCAT_DELIVERED = /^% Message delivered to partition (\d+) \(offset (-?\d+)\)/;
/** "Delivery failed for message: Local: Message timed out" */
const KCAT_FAILED = /^% Delivery failed for message: (.*)$/;

interface Delivery {
  readonly offset: number | null;
  readonly error: string | null;
}

/**
 * A real client producer as a child process fed one record per stdin line, for as long as a fault
 * scenario runs, and its delivery reports: librdkafka through kcat (`-P`, one partition per
 * process: kcat's delivery report names no message, but librdkafka reports a partition's messages
 * in order, so the n-th report is the n-th line) or through python3-confluent-kafka
 * (confluent_stdin_producer.py: one JSON delivery report per record, with its value). The records
 * it sent and what each was told, as the exactly-once checker takes them.
 */
export class StdinProducer {
  private readonly sent: Array<{ value: string; partition: number }> = [];
  private readonly delivered = new Map<string, Delivery>();
  private kcatReports = 0;
  /** librdkafka's "Timed out ProduceRequest in flight" logs (REQTMOUT): requests it will send again. */
  requestTimeouts = 0;
  private stdoutTail = '';
  private stderrTail = '';
  private output = '';
  /** Every stderr line (the newest 200k), for the diagnosis of a failed run. */
  private readonly stderrLines: string[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly client: string,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly kcatPartition: number | null,
  ) {
    trackProcess(child, client);
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      this.stdoutTail = this.lines(this.stdoutTail + d.toString('utf8'), (l) => this.onStdout(l));
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = this.lines(this.stderrTail + d.toString('utf8'), (l) => this.onStderr(l));
    });
  }

  /** kcat -P to one partition; `config` are librdkafka `-X` properties. */
  static kcat(client: string, bootstrap: string, topic: string, partition: number, config: readonly string[]): StdinProducer {
    const args = ['-P', '-b', bootstrap, '-t', topic, '-p', String(partition), '-vv', ...config.flatMap((c) => ['-X', c])];
    return new StdinProducer(client, spawn(KCAT, args, { stdio: 'pipe' }), partition);
  }

  /** python3-confluent-kafka's Producer; `config` are librdkafka properties (key=value). */
  static confluent(client: string, bootstrap: string, topic: string, config: readonly string[]): StdinProducer {
    return new StdinProducer(client, spawn(PYTHON, [CONFLUENT_DRIVER, bootstrap, topic, ...config], { stdio: 'pipe' }), null);
  }

  /** Hands the client one record for `partition`. */
  send(partition: number, value: string): void {
    if (this.kcatPartition !== null && partition !== this.kcatPartition) {
      throw new Error(`${this.client} writes partition ${this.kcatPartition} only`);
    }
    this.sent.push({ value, partition });
    this.child.stdin.write(this.kcatPartition === null ? `${partition} ${value}\n` : `${value}\n`);
  }

  get ackedCount(): number {
    let n = 0;
    for (const d of this.delivered.values()) if (d.error === null) n++;
    return n;
  }

  /** Records reported delivered without an offset (librdkafka's "offset unknown", -1001 or -1). */
  ackedWithoutOffset(): string[] {
    return [...this.delivered].filter(([, d]) => d.error === null && (d.offset === null || d.offset < 0)).map(([v]) => v);
  }

  get sentCount(): number {
    return this.sent.length;
  }

  /** The records that got no delivery report, and the client's last words, for a failure message. */
  undelivered(): string {
    const missing = this.sent.filter((r) => !this.delivered.has(r.value)).map((r) => r.value);
    return `${this.client}: ${missing.length} records without a delivery report (${missing.slice(0, 10).join(', ')}); output:\n${this.output.slice(-1500)}`;
  }

  /** Delivery errors the client reported, and its fatal errors, for the failure message. */
  errors(): string[] {
    const failed = [...this.delivered].filter(([, d]) => d.error !== null).map(([v, d]) => `${v}: ${d.error}`);
    const fatal = this.output.split('\n').filter((l) => /FATAL|Traceback|Error:/.test(l));
    return [...failed, ...fatal];
  }

  /** Ends stdin and waits for the client to flush what it holds and exit; its exit code. */
  async finish(timeoutMs = 150_000): Promise<number | null> {
    this.child.stdin.end();
    try {
      return await withTimeout(this.exited, timeoutMs, `${this.client} to flush and exit`);
    } catch (e) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${(e as Error).message}\n${this.output.slice(-3000)}`);
    }
  }

  /** Stops the client at once (cleanup after a failure). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  records(): ProducerRecords {
    const records: SentRecord[] = this.sent.map(({ value, partition }) => {
      const d = this.delivered.get(value);
      if (!d || d.error !== null) return { value, partition, acked: false };
      return d.offset === null || d.offset < 0 ? { value, partition, acked: true } : { value, partition, acked: true, offset: d.offset };
    });
    return { client: this.client, records };
  }

  private lines(text: string, each: (line: string) => void): string {
    const parts = text.split('\n');
    const rest = parts.pop()!;
    for (const line of parts) each(line);
    return rest;
  }

  private onStdout(line: string): void {
    if (this.kcatPartition !== null || !line.startsWith('{')) return;
    if (line.startsWith('{"done"')) this.output += `${line}\n`;
    const report = JSON.parse(line) as { value?: string; offset?: number | null; error?: string | null };
    if (report.value !== undefined) {
      this.delivered.set(report.value, { offset: report.offset ?? null, error: report.error ?? null });
    }
  }

  /** The client's whole stderr (librdkafka's logs), newest 200k lines. */
  stderrLog(): string {
    return this.stderrLines.join('\n');
  }

  private onStderr(line: string): void {
    this.stderrLines.push(line);
    if (this.stderrLines.length > 200_000) this.stderrLines.splice(0, 100_000);
    this.output = (this.output + line + '\n').slice(-20_000);
    if (/\|REQTMOUT\|.*ProduceRequest/.test(line)) this.requestTimeouts++;
    if (this.kcatPartition === null) return;
    const ok = KCAT_DELIVERED.exec(line);
    const failed = ok ? null : KCAT_FAILED.exec(line);
    if (!ok && !failed) return;
    const record = this.sent[this.kcatReports++];
    // (no throw from a stream handler: it would kill the test worker; errors() carries it)
    if (!record || (ok && Number(ok[1]) !== record.partition)) {
      this.output += `UNMATCHED Error: delivery report ${this.kcatReports} for no record sent to this partition: ${line}\n`;
      return;
    }
    this.delivered.set(record.value, ok ? { offset: Number(ok[2]), error: null } : { offset: null, error: failed![1] });
  }
}

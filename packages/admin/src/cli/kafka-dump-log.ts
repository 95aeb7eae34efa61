#!/usr/bin/env node
/**
 * kafka-dump-log: prints the batches, records and index entries of log segment files as Kafka's
 * DumpLogSegments does (see dumplog/DumpLogSegments.ts and --help).
 */
import * as fs from 'node:fs';
import { runDumpLog } from '../dumplog/DumpLogSegments';

/** Lines collected into large writes: an active segment's time index alone is ~1.7 million lines. */
class BufferedFd {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly fd: number) {}

  line(text: string): void {
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.chunks.length === 0) return;
    const data = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.size = 0;
    let written = 0;
    while (written < data.length) {
      try {
        written += fs.writeSync(this.fd, data, written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        if ((error as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0); // e.g. piped into head
        throw error;
      }
    }
  }
}

const stdout = new BufferedFd(1);
const stderr = new BufferedFd(2);
let code = 1;
try {
  code = runDumpLog(process.argv.slice(2), {
    out: (line) => stdout.line(line),
    err: (line) => stderr.line(line),
  });
} catch (error) {
  stderr.line(`kafka-dump-log: ${error instanceof Error ? error.message : String(error)}`);
}
stdout.flush();
stderr.flush();
process.exit(code);

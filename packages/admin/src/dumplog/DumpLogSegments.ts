import * as fs from 'node:fs';
import * as path from 'node:path';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { DumpErrors } from './DumpErrors';
import { dumpIndex, dumpTimeIndex } from './IndexDump';
import { dumpLog } from './LogDump';
import { offsetsMessageParser, stringMessageParser } from './MessageParsers';
import { CorruptSnapshotError, dumpProducerSnapshot, dumpTxnIndex } from './ProducerFilesDump';

/**
 * kafka-dump-log (Kafka 2.1 DumpLogSegments): prints what a segment's files hold, in Kafka's exact
 * words — "Dumping <file>", then batches or records of a `.log`, entries of a `.index` or
 * `.timeindex`, producer snapshots and aborted transactions — and reports inconsistencies on
 * stderr at the end. With --json every line after "Dumping" is one JSON object instead.
 *
 * Where Kafka would die with a stack trace (a corrupt log, a missing `.log` beside an index, an
 * index failing --index-sanity-check) this prints one line on stderr, goes on with the next file,
 * and exits 1.
 */
export interface DumpLogOptions {
  readonly files: readonly string[];
  readonly printDataLog: boolean;
  readonly deepIteration: boolean;
  readonly indexSanityOnly: boolean;
  readonly verifyOnly: boolean;
  readonly offsetsDecoder: boolean;
  readonly json: boolean;
}

export interface DumpIo {
  out(line: string): void;
  err(line: string): void;
}

export function dumpLogParser(): OptionParser {
  return new OptionParser()
    .accepts(
      'print-data-log',
      'if set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.',
    )
    .accepts('verify-index-only', 'if set, just verify the index log without printing its content.')
    .accepts(
      'index-sanity-check',
      'if set, just checks the index sanity without printing its content. This is the same check that is\nexecuted on broker startup to determine if an index needs rebuilding or not.',
    )
    .acceptsArg(
      'files',
      'REQUIRED: The comma separated list of data and index log files to be dumped.',
      'file1, file2, ...',
    )
    .acceptsArg(
      'max-message-size',
      'Size of largest message. (accepted for compatibility; not needed)',
      'size',
      'int',
    )
    .accepts(
      'deep-iteration',
      'if set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.',
    )
    .accepts(
      'offsets-decoder',
      'if set, log data will be parsed as offset data from the __consumer_offsets topic.',
    )
    .accepts('json', 'if set, print one JSON object per batch, record or index entry instead of text.')
    .accepts('help', 'Print usage information.');
}

export function dumpLogHelp(): string {
  return [
    'Parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.',
    "Output is Kafka 2.1 kafka-dump-log.sh's, line for line; errors go to stderr and make the exit status 1.",
    '',
    dumpLogParser().helpText(),
  ].join('\n');
}

/** Parses the arguments; null means --help. Throws UsageError. */
export function parseDumpLogArgs(args: readonly string[]): DumpLogOptions | null {
  if (args.length === 0) {
    throw new UsageError(
      'Parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment. Missing arguments; see --help.',
    );
  }
  const options = dumpLogParser().parse(args);
  if (options.has('help')) return null;
  if (!options.has('files')) throw new UsageError('Missing required argument "[files]"');
  const printDataLog = options.has('print-data-log') || options.has('offsets-decoder');
  return {
    files: options.valueOf('files')!.split(','),
    printDataLog,
    deepIteration: options.has('deep-iteration') || printDataLog,
    indexSanityOnly: options.has('index-sanity-check'),
    verifyOnly: options.has('verify-index-only'),
    offsetsDecoder: options.has('offsets-decoder'),
    json: options.has('json'),
  };
}

/** Kafka's base offset of a segment file: the name up to its first dot, as a number. */
function baseOffsetOf(file: string): number {
  const prefix = path.basename(file).split('.')[0];
  if (!/^\d+$/.test(prefix))
    throw new Error(
      `For input string: "${prefix}" (the file name must start with the segment's base offset)`,
    );
  return Number(prefix);
}

/** Dumps every file; returns the exit status. */
export function dumpLogSegments(opts: DumpLogOptions, io: DumpIo): number {
  const errors = new DumpErrors();
  let failed = false;
  for (const file of opts.files) {
    io.out(opts.json ? JSON.stringify({ type: 'file', file }) : `Dumping ${file}`);
    const name = path.basename(file);
    const suffix = name.includes('.') ? name.substring(name.lastIndexOf('.')) : '';
    try {
      switch (suffix) {
        case '.log':
          dumpLog(
            file,
            fs.readFileSync(file),
            baseOffsetOf(file),
            {
              deepIteration: opts.deepIteration,
              printContents: opts.printDataLog,
              json: opts.json,
              parser: opts.offsetsDecoder ? offsetsMessageParser : stringMessageParser,
            },
            errors,
            io.out,
          );
          break;
        case '.index':
          dumpIndex(file, baseOffsetOf(file), opts, errors, io.out);
          break;
        case '.timeindex':
          dumpTimeIndex(file, baseOffsetOf(file), opts, errors, io.out);
          break;
        case '.snapshot':
          dumpProducerSnapshot(file, opts.json, io.out);
          break;
        case '.txnindex':
          dumpTxnIndex(file, opts.json, io.out);
          break;
        default:
          io.err(`Ignoring unknown file ${file}`);
      }
    } catch (error) {
      // Kafka prints a corrupt snapshot's message and carries on; everything else is a failure.
      if (error instanceof CorruptSnapshotError) io.err(error.message);
      else {
        io.err(`Error while dumping ${file}: ${error instanceof Error ? error.message : String(error)}`);
        failed = true;
      }
    }
  }
  errors.print(io.err);
  return failed ? 1 : 0;
}

/** kafka-dump-log as a function: arguments in, lines out, exit status back. */
export function runDumpLog(args: readonly string[], io: DumpIo): number {
  let opts: DumpLogOptions | null;
  try {
    opts = parseDumpLogArgs(args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  if (opts === null) {
    io.out(dumpLogHelp());
    return 0;
  }
  return dumpLogSegments(opts, io);
}

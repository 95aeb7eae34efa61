import { readFileSync } from 'node:fs';
import type { ClientSecurity } from '@samsa/client';
import { UsageError } from '../cli/OptionParser';
import { commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import type { CommandIo } from '../topics/TopicCommand';
import {
  checkConsumerGroupCommandArgs,
  consumerGroupCommandHelp,
  consumerGroupCommandParser,
  type ConsumerGroupCommandOptions,
} from './ConsumerGroupCommandOptions';
import { errorLines, type OutputLine } from './ConsumerGroupOutput';
import { ConsumerGroupService } from './ConsumerGroupService';
import type { GroupAdmin } from './GroupAdmin';
import { AdminTimeoutError, failureText } from './GroupErrors';
import { AdminClientGroupAdmin, groupToolClient } from './AdminClientGroupAdmin';

/**
 * kafka-consumer-groups as a function: arguments in, lines out, exit status back (the bin script
 * only adds process plumbing). Exit statuses are Kafka 2.8's:
 * - usage mistakes (unknown option, missing --bootstrap-server, options that do not go together,
 *   an invalid --state list, a reset without scope or scenario): the message on stderr, exit 1;
 * - a failed Admin call or bad input found while running (unparseable --to-datetime, a topic that
 *   does not exist): `Error: Executing consumer group command failed due to <cause>` on stdout,
 *   exit 0 — Kafka's tool reports it and returns normally;
 * - per-group outcomes (a Dead group, an active group not reset, a group not deleted) are printed
 *   as Kafka prints them, exit 0.
 * Each Admin call is bounded by --timeout (default 5000 ms, Kafka's), and the connections are
 * closed before returning.
 */
export interface ConsumerGroupCommandDeps {
  createAdmin?: (bootstrapServer: string, timeoutMs: number, security?: ClientSecurity) => GroupAdmin;
  /** The clock for --by-duration and the WARN lines' timestamps. */
  nowMs?: () => number;
  readFile?: (path: string) => string;
}

export async function runConsumerGroupCommand(
  args: readonly string[],
  io: CommandIo,
  deps: ConsumerGroupCommandDeps = {},
): Promise<number> {
  let opts: ConsumerGroupCommandOptions;
  try {
    const options = consumerGroupCommandParser().parse(args);
    if (options.has('help')) {
      io.out(consumerGroupCommandHelp());
      return 0;
    }
    opts = checkConsumerGroupCommandArgs(options);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  for (const warning of opts.warnings) io.err(warning);

  const nowMs = deps.nowMs ?? Date.now;
  const emit = (lines: readonly OutputLine[]): void => {
    for (const { stream, text } of lines) (stream === 'out' ? io.out : io.err)(text);
  };
  let admin: GroupAdmin | undefined;
  let security: ClientSecurity | undefined;
  try {
    const createAdmin = deps.createAdmin ?? ((b: string, t: number, security?: ClientSecurity) => new AdminClientGroupAdmin(groupToolClient(b, t, security), t));
    security = commandConfigSecurity(opts.commandConfig);
    admin = withCallDeadlines(createAdmin(opts.bootstrapServer, opts.timeoutMs, security), opts.timeoutMs);
    const service = new ConsumerGroupService(admin, opts, {
      nowMs,
      readFile: deps.readFile ?? ((path) => readFileSync(path, 'utf8')),
      warn: (message) => io.err(log4jWarn(message, nowMs())),
    });
    emit(await service.run());
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    emit(errorLines(`Executing consumer group command failed due to ${withSecurityHint(failureText(error), security)}`));
    return 0;
  } finally {
    if (admin !== undefined) await admin.close().catch(() => {});
  }
}

/**
 * A WARN line as Kafka's tools-log4j.properties prints it on stderr:
 * `[yyyy-MM-dd HH:mm:ss,SSS] WARN <message> (kafka.admin.ConsumerGroupCommand$)`, local time.
 */
export function log4jWarn(message: string, nowMs: number): string {
  const d = new Date(nowMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())},${String(d.getMilliseconds()).padStart(3, '0')}`;
  return `[${stamp}] WARN ${message} (kafka.admin.ConsumerGroupCommand$)`;
}

/** How long after a call's deadline the backstop fires. */
const BACKSTOP_GRACE_MS = 500;

/**
 * The admin with every call bounded by `timeoutMs` (Kafka's per-call --timeout); close by 5 s. The
 * bound is a backstop, BACKSTOP_GRACE_MS after the call's own deadline: the wire Admin ends a call
 * there itself, with the last failure it retried (a closed connection gets the security hint).
 */
export function withCallDeadlines(admin: GroupAdmin, timeoutMs: number): GroupAdmin {
  const bounded =
    <A extends unknown[], R>(callName: string, call: (...args: A) => Promise<R>, ms = timeoutMs, graceMs = BACKSTOP_GRACE_MS) =>
    (...args: A): Promise<R> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new AdminTimeoutError(callName, ms)), ms + graceMs);
      });
      return Promise.race([call.apply(admin, args), deadline]).finally(() => clearTimeout(timer));
    };
  return {
    listConsumerGroups: bounded('listConsumerGroups', admin.listConsumerGroups),
    describeConsumerGroups: bounded('describeConsumerGroups', admin.describeConsumerGroups),
    listConsumerGroupOffsets: bounded('listConsumerGroupOffsets', admin.listConsumerGroupOffsets),
    listOffsets: bounded('listOffsets', admin.listOffsets),
    describeTopics: bounded('describeTopics', admin.describeTopics),
    alterConsumerGroupOffsets: bounded('alterConsumerGroupOffsets', admin.alterConsumerGroupOffsets),
    deleteConsumerGroups: bounded('deleteConsumerGroups', admin.deleteConsumerGroups),
    deleteConsumerGroupOffsets: bounded('deleteConsumerGroupOffsets', admin.deleteConsumerGroupOffsets),
    close: bounded('close', admin.close, 5000, 0),
  };
}

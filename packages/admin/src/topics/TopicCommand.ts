import { KafkaZkClient } from '@samsa/zk';
import type { ClientSecurity } from '@samsa/client';
import { UsageError } from '../cli/OptionParser';
import { commandConfigSecurity, withSecurityHint } from '../cli/CommandConfig';
import { AdminClient } from '@samsa/client';
import { ToolClient } from '../client/ToolClient';
import { AdminClientTopicService } from './AdminClientTopicService';
import {
  checkTopicCommandArgs,
  DEFAULT_TIMEOUT_MS,
  TIMEOUT_ENV,
  topicCommandHelp,
  topicCommandParser,
  type TopicCommandOptions,
} from './TopicCommandOptions';
import { ZkTopicService, type TopicService } from './ZkTopicService';

/**
 * kafka-topics as a function: arguments in, lines out, exit status back (the bin script only adds
 * process plumbing). Usage mistakes print their one-line message on stderr; failures print Kafka's
 * "Error while executing topic command : <message>" on stderr (Kafka 2.1 prints that one on
 * stdout); both exit 1. Connecting and the command itself are bounded by the timeout, and every
 * connection is closed before returning, so the process can exit at once.
 */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

export interface TopicCommandDeps {
  connectZk?: (connectString: string, timeoutMs: number) => Promise<KafkaZkClient>;
  /** The wire client of --bootstrap-server (tests pass one whose send answers for a fake cluster). */
  createClient?: (bootstrapServer: string, timeoutMs: number, security?: ClientSecurity) => ToolClient;
  /** Deadline for connecting and for the command (default: $SAMSA_ADMIN_TIMEOUT_MS or 30 s). */
  timeoutMs?: number;
}

const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

export function defaultConnectZk(connectString: string, timeoutMs: number): Promise<KafkaZkClient> {
  // Kafka's TopicCommand uses 30 s for both the session and the connection timeout.
  return KafkaZkClient.connect(connectString, {
    sessionTimeoutMs: 30_000,
    connectionTimeoutMs: timeoutMs,
    logger: quietLogger,
    name: 'kafka-topics',
  });
}

export function defaultCreateClient(bootstrapServer: string, timeoutMs: number, security?: ClientSecurity): ToolClient {
  return new ToolClient({ bootstrapServers: bootstrapServer, clientId: 'kafka-topics', requestTimeoutMs: timeoutMs, security });
}

export function timeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[TIMEOUT_ENV];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_TIMEOUT_MS;
}

class DeadlineError extends Error {}

/** How long after the Admin's deadline the command's own bound fires. */
const BACKSTOP_GRACE_MS = 500;

function withDeadline<T>(promise: Promise<T>, ms: number, what: string, graceMs = 0): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`Timed out after ${ms} ms waiting for ${what}`)), ms + graceMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function runTopicCommand(
  args: readonly string[],
  io: CommandIo,
  deps: TopicCommandDeps = {},
): Promise<number> {
  if (args.length === 0) {
    io.err('Create, delete, describe, or change a topic. Missing arguments; see --help.');
    return 1;
  }
  let opts: TopicCommandOptions;
  try {
    const options = topicCommandParser().parse(args);
    if (options.has('help')) {
      io.out(topicCommandHelp());
      return 0;
    }
    opts = checkTopicCommandArgs(options);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }

  const timeoutMs = deps.timeoutMs ?? timeoutFromEnv();
  const zkMode = opts.zkConnect !== undefined;
  const target = zkMode ? `ZooKeeper at ${opts.zkConnect}` : `the Kafka cluster at ${opts.bootstrapServer}`;
  let service: TopicService | undefined;
  let security: ClientSecurity | undefined;
  try {
    if (zkMode) {
      const connect = deps.connectZk ?? defaultConnectZk;
      const zkClient = await connect(opts.zkConnect!, timeoutMs);
      service = new ZkTopicService(zkClient, opts.zkConnect!, io.out);
    } else {
      try {
        security = commandConfigSecurity(opts.commandConfig);
      } catch (error) {
        if (error instanceof UsageError) {
          io.err(error.message);
          return 1;
        }
        throw error;
      }
      const client = (deps.createClient ?? defaultCreateClient)(opts.bootstrapServer!, timeoutMs, security);
      const deadline = Date.now() + timeoutMs;
      service = new AdminClientTopicService(new AdminClient(client, () => deadline), io.out, timeoutMs);
    }
    // Over the wire Admin the bound is a backstop: the Admin ends the call at its deadline itself, with
    // the last failure it retried (a closed connection then gets the security hint).
    await withDeadline(runAction(service, opts), timeoutMs, target, zkMode ? 0 : BACKSTOP_GRACE_MS);
    return 0;
  } catch (error) {
    io.err(`Error while executing topic command : ${withSecurityHint(errorMessage(error), security)}`);
    return 1;
  } finally {
    if (service !== undefined)
      await withDeadline(service.close(), 5000, 'connections to close').catch(() => {});
  }
}

function runAction(service: TopicService, opts: TopicCommandOptions): Promise<void> {
  switch (opts.action) {
    case 'create':
      return service.createTopic(opts);
    case 'list':
      return service.listTopics(opts);
    case 'alter':
      return service.alterTopic(opts);
    case 'describe':
      return service.describeTopic(opts);
    case 'delete':
      return service.deleteTopic(opts);
  }
}

/** The message to print, on one line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' ') : String(error);
}

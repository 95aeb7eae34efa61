import type { ClientSecurity } from '@samsa/client';
import { withSecurityHint } from '../cli/CommandConfig';
import type { OptionParser, ParsedOptions } from '../cli/OptionParser';
import { UsageError } from '../cli/OptionParser';
import { ToolClient, type ToolClientOptions } from './ToolClient';

/** Where a data tool writes its lines. */
export interface ToolRunIo {
  out(line: string): void;
  err(line: string): void;
}

/**
 * One run of a data tool (console producer and consumer, perf tests, kafka-get-offsets, …): the
 * client it opens is closed when the run ends, whatever happens, and a failure is one line on
 * stderr (with the --command-config hint when security was configured) and exit code 1.
 */
export class ToolRun {
  private client: ToolClient | undefined;
  private security: ClientSecurity | undefined;

  /** The run's client (one per run). */
  open(options: ToolClientOptions): ToolClient {
    this.client?.close();
    this.security = options.security;
    this.client = new ToolClient(options);
    return this.client;
  }

  /** The message a failure prints, with the security hint. */
  failureLine(message: string): string {
    return withSecurityHint(message, this.security);
  }

  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

export interface ToolRunOptions {
  /** The failure's message (default: the error's message). */
  readonly describeError?: (error: unknown) => string;
  /** Lines printed after the failure's (e.g. the console consumer's count). */
  readonly afterError?: (io: ToolRunIo) => void;
}

/** Runs `body` as one ToolRun: its exit code, or 1 with the failure's line. */
export async function runTool(
  io: ToolRunIo,
  body: (run: ToolRun) => Promise<number>,
  options: ToolRunOptions = {},
): Promise<number> {
  const run = new ToolRun();
  try {
    return await body(run);
  } catch (error) {
    const message = options.describeError?.(error) ?? (error instanceof Error ? error.message : String(error));
    io.err(run.failureLine(message));
    options.afterError?.(io);
    return 1;
  } finally {
    run.close();
  }
}

/**
 * The tool's options parsed; with --help, the description and the option list are printed and
 * null returned (exit 0). A missing required option is Kafka's "Missing required argument" error.
 */
export function parseToolOptions(
  parser: () => OptionParser,
  args: readonly string[],
  io: ToolRunIo,
  help: { readonly description: string; readonly required?: readonly string[] },
): ParsedOptions | null {
  const options = parser().parse(args);
  if (options.has('help')) {
    io.out(help.description);
    io.out(parser().helpText());
    return null;
  }
  const missing = (help.required ?? []).filter((o) => !options.has(o));
  if (missing.length > 0) throw new UsageError(`Missing required argument "[${missing.join(', ')}]"`);
  return options;
}

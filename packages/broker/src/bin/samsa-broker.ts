#!/usr/bin/env node
/**
 * `samsa-broker server.properties [--override key=value]…` — Kafka's kafka-server-start.sh.
 * Configuration errors (and settings that promise security Samsa does not provide) print one line
 * naming the key and exit 1; SIGTERM/SIGINT shut down cleanly; an uncaught exception or unhandled
 * rejection is logged and exits 1 (fatalErrors.ts).
 * Logs go to the console and, when LOG_DIR is set, to LOG_DIR/server.log and state-change.log.
 * When the last log directory fails the broker halts with exit code 1 after flushing its logs.
 * SAMSA_TEST_FAULTS turns on a TEST-ONLY fault switch (testFaultSwitch.ts); never set it elsewhere.
 */
import { ConfigError, KafkaConfig } from '../config/KafkaConfig';
import { socketServerOptions } from '../network/SocketServer';
import { Logging } from '../log/logging';
import { exitOnFatalErrors } from './fatalErrors';
import { installTestFaultSwitch } from './testFaultSwitch';
import { FatalStartupError, KafkaServer } from '../server/KafkaServer';

/** Time given to the log files to take the last lines before a halt exits anyway. */
const HALT_FLUSH_TIMEOUT_MS = 2_000;

function usage(): never {
  process.stderr.write('USAGE: samsa-broker server.properties [--override property=value]*\n');
  process.exit(1);
}

async function main(argv: string[]): Promise<void> {
  const overrides: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--override') {
      if (i + 1 >= argv.length) usage();
      overrides.push(argv[++i]);
    } else if (a.startsWith('--override=')) overrides.push(a.slice('--override='.length));
    else if (a === '-h' || a === '--help') usage();
    else if (!file && !a.startsWith('-')) file = a;
    else if (!a.startsWith('-')) continue; // process markers (e.g. the test harness's) are ignored
    else {
      process.stderr.write(`ERROR: unknown option ${a}\n`);
      usage();
    }
  }
  let config: KafkaConfig;
  try {
    config = KafkaConfig.load({ file, env: process.env, overrides });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ERROR: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  try {
    socketServerOptions(config); // the TLS listeners' keystores and truststores load, or the broker does not start
  } catch (e) {
    process.stderr.write(`ERROR: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const logging = new Logging({ logDir: process.env.LOG_DIR });
  const log = logging.logger(`[KafkaServer id=${config.brokerId}]`, 'kafka.server.KafkaServer');
  exitOnFatalErrors({ process, log, flush: () => logging.close(), exit: (code) => process.exit(code) });
  try {
    installTestFaultSwitch({ env: process.env, logger: log });
  } catch (e) {
    process.stderr.write(`ERROR: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const server = new KafkaServer(config, logging, {
    // Kafka's Exit.halt: no controlled shutdown, no clean-shutdown marker; only the log files are
    // flushed (for at most HALT_FLUSH_TIMEOUT_MS) so the fatal line reaches them.
    halt: (code) => {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, HALT_FLUSH_TIMEOUT_MS));
      void Promise.race([logging.close().catch(() => undefined), timeout]).then(() => process.exit(code));
    },
  });
  let exiting = false;
  const stop = async (signal: string) => {
    if (exiting) return;
    exiting = true;
    log.info(`received ${signal}, shutting down`);
    await server.shutdown();
    await logging.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  try {
    await server.startup();
  } catch (e) {
    log.error(e instanceof FatalStartupError ? `Fatal error during startup: ${e.message}` : 'Fatal error during startup', e instanceof FatalStartupError ? undefined : e);
    await server.shutdown();
    await logging.close();
    process.exit(1);
  }
}

void main(process.argv.slice(2));

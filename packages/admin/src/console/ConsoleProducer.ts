import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { COMMAND_CONFIG_HELP, withSecurityHint } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { ClientProperties, parseKeyValues } from '../client/ClientProperties';
import { compressionCodecId, RecordProducer } from '../client/RecordProducer';
import { ToolClient } from '../client/ToolClient';
import { LineMessageReader } from './LineMessageReader';

export interface ToolIo {
  out(line: string): void;
  err(line: string): void;
}

export interface ConsoleProducerIo extends ToolIo {
  readonly stdin: Readable;
  /** Write ">" before each line, as Kafka's reader does (only when stdin is a terminal here). */
  readonly prompt?: (text: string) => void;
}

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('topic', 'REQUIRED: The topic id to produce messages to.', 'topic')
    .acceptsArg('broker-list', 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.', 'broker-list')
    .acceptsArg('bootstrap-server', 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.', 'server to connect to')
    .accepts('sync', 'If set message send requests to the brokers are synchronously, one at a time as they arrive.')
    .acceptsOptionalArg('compression-codec', "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'", 'compression-codec')
    .acceptsArg('batch-size', 'Number of messages to send in a single batch if they are not being sent synchronously. (default: 200)', 'size', 'int')
    .acceptsArg('message-send-max-retries', 'Brokers can fail receiving the message for multiple reasons, and being unavailable transiently is just one of them. This property specifies the number of retries before the producer give up and drop this message. (default: 3)', 'Integer', 'int')
    .acceptsArg('retry-backoff-ms', 'Before each retry, the producer refreshes the metadata of relevant topics. Since leader election takes a bit of time, this property specifies the amount of time that the producer waits before refreshing the metadata. (default: 100)', 'Integer', 'int')
    .acceptsArg('timeout', 'If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. (default: 1000)', 'timeout_ms', 'int')
    .acceptsArg('request-required-acks', 'The required acks of the producer requests (default: 1)', 'request required acks')
    .acceptsArg('request-timeout-ms', 'The ack timeout of the producer requests. Value must be non-negative and non-zero (default: 1500)', 'request timeout ms', 'int')
    .acceptsArg('metadata-expiry-ms', 'The period of time in milliseconds after which we force a refresh of metadata even if we haven\'t seen any leadership changes. (default: 300000)', 'metadata expiration interval', 'long')
    .acceptsArg('max-block-ms', 'The max time that the producer will block for during a send request (default: 60000)', 'max block on send', 'long')
    .acceptsArg('max-memory-bytes', 'The total memory used by the producer to buffer records waiting to be sent to the server. (default: 33554432)', 'total memory in bytes', 'long')
    .acceptsArg('max-partition-memory-bytes', 'The buffer size allocated for a partition. When records are received which are smaller than this size the producer will attempt to optimistically group them together until this size is reached. (default: 16384)', 'memory in bytes per partition', 'long')
    .acceptsArg('socket-buffer-size', 'The size of the tcp RECV size. (default: 102400)', 'size', 'int')
    .acceptsArg('property', 'A mechanism to pass user-defined properties in the form key=value to the message reader. This allows custom configuration for a user-defined message reader. Default properties include:\n\tparse.key=true|false\n\tkey.separator=<key.separator>\n\tignore.error=true|false\n\tparse.headers=true|false\n\theaders.delimiter=<headers.delimiter>\n\theaders.separator=<headers.separator>\n\theaders.key.separator=<headers.key.separator>\n\tnull.marker=<null.marker>', 'prop')
    .acceptsArg('producer-property', 'A mechanism to pass user-defined properties in the form key=value to the producer. ', 'producer_prop')
    .acceptsArg('producer.config', 'Producer config properties file. Note that [producer-property] takes precedence over this config.', 'config file')
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'config file')
    .acceptsArg('line-reader', 'The class name of the class to use for reading lines from standard in. By default each line is read as a separate message. (default: kafka.tools.ConsoleProducer$LineMessageReader)', 'reader_class')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

const LINE_READER = 'kafka.tools.ConsoleProducer$LineMessageReader';

/**
 * kafka-console-producer (Kafka 2.8 ConsoleProducer): stdin lines → records of --topic through
 * the LineMessageReader, sent in batches (or one at a time with --sync) until stdin ends; then
 * every record is flushed and the tool exits. A failed send prints Kafka's ErrorLoggingCallback
 * line and the tool exits 1 at the end; a line the reader cannot parse stops it with one line and
 * exit 1, as Kafka's does.
 */
export async function runConsoleProducer(args: readonly string[], io: ConsoleProducerIo): Promise<number> {
  let client: ToolClient | undefined;
  let security;
  try {
    const options = parser().parse(args);
    if (options.has('help')) {
      io.out('This tool helps to read data from standard input and publish it to Kafka.');
      io.out(parser().helpText());
      return 0;
    }
    if (!options.has('topic')) throw new UsageError('Missing required argument "[topic]"');
    const bootstrap = options.valueOf('bootstrap-server') ?? options.valueOf('broker-list');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const lineReader = options.valueOf('line-reader');
    if (lineReader !== undefined && lineReader !== LINE_READER)
      throw new UsageError(`java.lang.ClassNotFoundException: ${lineReader} (Samsa's console producer has only ${LINE_READER})`);
    const topic = options.valueOf('topic')!;
    const props = ClientProperties.from(
      [options.valueOf('command-config'), options.valueOf('producer.config')],
      options.valuesOf('producer-property'),
    );
    const reader = new LineMessageReader(parseKeyValues(options.valuesOf('property')));
    const codecName = options.has('compression-codec') ? (options.valueOf('compression-codec') ?? 'gzip') : (props.get('compression.type') ?? 'none');
    const compression = compressionCodecId(codecName === '' ? 'gzip' : codecName);
    if (compression === undefined) throw new UsageError(`Invalid value ${codecName} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`);
    const acksText = options.valueOf('request-required-acks') ?? props.get('acks') ?? '1';
    const acks = acksText === 'all' ? -1 : Number(acksText);
    if (![-1, 0, 1].includes(acks)) throw new UsageError(`Invalid value ${acksText} for configuration acks: String must be one of: all, -1, 0, 1`);
    const requestTimeoutMs = options.intValueOf('request-timeout-ms') ?? props.int('request.timeout.ms', 1500);
    if (requestTimeoutMs <= 0) throw new UsageError(`Invalid value ${requestTimeoutMs} for configuration request.timeout.ms: Value must be at least 0`);
    security = props.security();
    client = new ToolClient({
      bootstrapServers: bootstrap,
      clientId: props.get('client.id') ?? 'console-producer',
      requestTimeoutMs: Math.max(requestTimeoutMs, 5000),
      security,
    });
    const sync = options.has('sync');
    const producer = new RecordProducer({
      client,
      acks,
      requestTimeoutMs,
      compression,
      // --sync sends each record as it arrives: there is no batch to wait for
      lingerMs: sync ? 0 : (options.intValueOf('timeout') ?? props.int('linger.ms', 1000)),
      batchSize: options.intValueOf('batch-size') ?? props.int('batch.size', 16384),
      retries: options.intValueOf('message-send-max-retries') ?? props.int('retries', 3),
      retryBackoffMs: options.intValueOf('retry-backoff-ms') ?? props.int('retry.backoff.ms', 100),
      maxBlockMs: Number(options.longValueOf('max-block-ms') ?? BigInt(props.int('max.block.ms', 60_000))),
    });
    let failed = 0;
    const pending = new Set<Promise<unknown>>();
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity, terminal: false });
    io.prompt?.('>');
    for await (const line of lines) {
      const record = reader.read(line);
      const sent = producer
        .send({ topic, key: record.key, value: record.value, headers: record.headers })
        .catch((error: unknown) => {
          failed += 1;
          const message = error instanceof Error ? error.message : String(error);
          io.err(
            `ERROR Error when sending message to topic ${topic} with key: ${record.key === null ? 'null' : `${record.key.length} bytes`}, value: ${record.value === null ? 'null' : `${record.value.length} bytes`} with error: ${message} (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)`,
          );
        });
      if (sync) {
        await sent;
      } else {
        pending.add(sent);
        void sent.finally(() => pending.delete(sent));
      }
      io.prompt?.('>');
    }
    await producer.close();
    await Promise.all([...pending]);
    return failed === 0 ? 0 : 1;
  } catch (error) {
    const message = error instanceof Error ? (error.name === 'KafkaException' ? `org.apache.kafka.common.KafkaException: ${error.message}` : error.message) : String(error);
    io.err(withSecurityHint(message, security));
    return 1;
  } finally {
    client?.close();
  }
}

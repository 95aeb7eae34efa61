import { ApiKey, allApis, versionRange, type ApiVersionsResponse } from '@samsa/protocol';
import { COMMAND_CONFIG_HELP, commandConfigSecurity } from '../cli/CommandConfig';
import { OptionParser, UsageError } from '../cli/OptionParser';
import { adminTimeoutMs } from '../client/ToolClient';
import type { ToolIo } from '../console/ConsoleProducer';
import { parseToolOptions, runTool } from '../client/ToolRun';

function parser(): OptionParser {
  return new OptionParser()
    .acceptsArg('command-config', COMMAND_CONFIG_HELP, 'command config property file')
    .acceptsArg('bootstrap-server', 'REQUIRED: The server to connect to.', 'server(s) to use for bootstrapping')
    .accepts('help', 'Print usage information.')
    .accepts('version', 'Display Kafka version.');
}

/** One API as a broker advertises it. */
export interface AdvertisedApi {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/**
 * Kafka's NodeApiVersions.toString(true): every API the client knows, in api-key order, as
 * `Name(key): min to max [usable: v]` (one version printed once), `[unusable: node too old|new]`
 * when the ranges do not meet, `UNSUPPORTED` when the broker does not advertise it, and
 * `UNKNOWN(key): …` for an API the client does not know; one per line after "(", then ")".
 */
export function formatNodeApiVersions(advertised: readonly AdvertisedApi[]): string {
  const known = new Map(allApis().map((spec) => [spec.apiKey, spec]));
  const byKey = new Map(advertised.map((a) => [a.apiKey, a]));
  const text = new Map<number, string>();
  for (const a of advertised) {
    const spec = known.get(a.apiKey);
    const range = a.minVersion === a.maxVersion ? `${a.minVersion}` : `${a.minVersion} to ${a.maxVersion}`;
    if (spec === undefined) {
      text.set(a.apiKey, `UNKNOWN(${a.apiKey}): ${range}`);
      continue;
    }
    const client = versionRange(spec);
    let usable: string;
    if (client.max < a.minVersion) usable = '[unusable: node too new]';
    else if (a.maxVersion < client.min) usable = '[unusable: node too old]';
    else usable = `[usable: ${Math.min(client.max, a.maxVersion)}]`;
    text.set(a.apiKey, `${spec.name}(${a.apiKey}): ${range} ${usable}`);
  }
  for (const spec of known.values()) if (!byKey.has(spec.apiKey)) text.set(spec.apiKey, `${spec.name}(${spec.apiKey}): UNSUPPORTED`);
  const rows = [...text].sort(([a], [b]) => a - b).map(([, t]) => t);
  return `(\n\t${rows.join(',\n\t')}\n)`;
}

/**
 * kafka-broker-api-versions (Kafka 2.8 BrokerApiVersionsCommand): every broker of the cluster
 * asked ApiVersions, printed as `host:port (id: N rack: r) -> (` and the API lines, or
 * `… -> ERROR: …` for a broker that does not answer.
 */
export function runBrokerApiVersionsCommand(args: readonly string[], io: ToolIo): Promise<number> {
  return runTool(io, async (run) => {
    const options = parseToolOptions(parser, args, io, { description: 'This tool helps to retrieve broker version information.' });
    if (options === null) return 0;
    const bootstrap = options.valueOf('bootstrap-server');
    if (bootstrap === undefined) throw new UsageError('Missing required argument "[bootstrap-server]"');
    const security = commandConfigSecurity(options.valueOf('command-config'));
    const client = run.open({ bootstrapServers: bootstrap, clientId: 'admin-1', requestTimeoutMs: adminTimeoutMs(), security });
    const md = await client.metadata([]);
    for (const b of [...md.brokers].sort((x, y) => x.nodeId - y.nodeId)) {
      const node = `${b.host}:${b.port} (id: ${b.nodeId} rack: ${b.rack ?? 'null'})`;
      try {
        const response: ApiVersionsResponse = await client.sendToNode(b.nodeId, ApiKey.ApiVersions, 0, {});
        io.out(`${node} -> ${formatNodeApiVersions(response.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion })))}`);
      } catch (error) {
        io.out(`${node} -> ERROR: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return 0;
  });
}

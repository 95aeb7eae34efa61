import * as net from 'node:net';
import { ApiKey, decodeResponse, encodeRequest, type Struct } from '@samsa/protocol';

/** Largest response accepted (a Metadata answer of a big cluster fits easily). */
const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

/** Where a request goes. */
export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** Sends one request to a broker; a fake in tests. */
export type SendRequest = (
  target: BrokerAddress,
  apiKey: number,
  apiVersion: number,
  body: Struct,
) => Promise<Struct>;

/** "host:port" → address; a UsageError-worthy message on bad input. */
export function parseHostPort(value: string): BrokerAddress {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`Invalid url in bootstrap.servers: ${value}`);
  return { host: value.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

/**
 * One request on a connection of its own, closed afterwards: the admin tools send one or two
 * requests, so there is nothing to pool. Rejects on connect failure, disconnect or `timeoutMs`.
 */
export function sendRequest(timeoutMs: number, clientId: string): SendRequest {
  return (target, apiKey, apiVersion, body) =>
    new Promise<Struct>((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
      let buffered = Buffer.alloc(0);
      let done = false;
      const finish = (error: Error | null, result?: Struct): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        if (error !== null) reject(error);
        else resolve(result!);
      };
      const timer = setTimeout(
        () => finish(new Error(`Timed out after ${timeoutMs} ms waiting for ${target.host}:${target.port}`)),
        timeoutMs,
      );
      socket.on('connect', () => {
        for (const chunk of encodeRequest({ apiKey, apiVersion, correlationId: 1, clientId }, body))
          socket.write(chunk);
      });
      socket.on('data', (data: Buffer) => {
        buffered = Buffer.concat([buffered, data]);
        if (buffered.length < 4) return;
        const size = buffered.readInt32BE(0);
        if (size < 0 || size > MAX_RESPONSE_BYTES) {
          finish(new Error(`Invalid response size ${size} from ${target.host}:${target.port}`));
          return;
        }
        if (buffered.length < 4 + size) return;
        try {
          finish(null, decodeResponse(apiKey, apiVersion, buffered.subarray(4, 4 + size)).body);
        } catch (error) {
          finish(error as Error);
        }
      });
      socket.on('error', (error) =>
        finish(new Error(`Connection to ${target.host}:${target.port} failed: ${error.message}`)),
      );
      socket.on('close', () => finish(new Error(`Connection to ${target.host}:${target.port} closed`)));
    });
}

/**
 * The active controller's address, from a Metadata v1 request (no topics) to the first bootstrap
 * server that answers.
 */
export async function findController(
  send: SendRequest,
  bootstrap: readonly BrokerAddress[],
): Promise<BrokerAddress & { id: number }> {
  let lastError: unknown = new Error('No bootstrap servers given');
  for (const server of bootstrap) {
    try {
      const metadata = await send(server, ApiKey.Metadata, 1, { topics: [] });
      const controllerId = metadata.controllerId as number;
      const broker = (metadata.brokers as Struct[]).find((b) => b.nodeId === controllerId);
      if (broker === undefined) throw new Error(`The cluster has no active controller (controller id ${controllerId})`);
      return { id: controllerId, host: broker.host as string, port: broker.port as number };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

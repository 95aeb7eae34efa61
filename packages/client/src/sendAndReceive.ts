import type { Logger } from '@samsa/common';
import type {
  ApiKeyValue,
  RequestInputFor,
  RequestInputOf,
  ResponseFor,
  ResponseOf,
  Struct,
} from '@samsa/protocol';
import type { ClientSecurity } from './ClientSecurity';
import { RequestTimeoutError } from './errors';
import { NetworkClient } from './NetworkClient';

export interface SendAndReceiveOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** One deadline for connecting, sending and the answer together. */
  readonly timeoutMs: number;
  readonly logger?: Logger;
  /** How the connection is secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
}

/**
 * One request on a connection of its own, closed afterwards (Kafka's
 * NetworkClientUtils.sendAndReceive, for callers that send one or two requests: the admin tools).
 * Rejects on connect failure, disconnect, an undecodable answer, or when `timeoutMs` has passed.
 */
export function sendAndReceive<K extends ApiKeyValue>(
  options: SendAndReceiveOptions,
  apiKey: K,
  apiVersion: number,
  body: RequestInputOf<K>,
): Promise<ResponseOf<K>>;
/** The same for a key that is a plain `number`: a `Struct` body, a `Struct` answer (see NetworkClient.send). */
export function sendAndReceive<K extends number>(
  options: SendAndReceiveOptions,
  apiKey: K,
  apiVersion: number,
  body: RequestInputFor<K>,
): Promise<ResponseFor<K>>;
export async function sendAndReceive(
  options: SendAndReceiveOptions,
  apiKey: number,
  apiVersion: number,
  body: Struct,
): Promise<Struct> {
  const { host, port, clientId, timeoutMs, logger, security } = options;
  const client = new NetworkClient({ host, port, clientId, requestTimeoutMs: timeoutMs, logger, security });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RequestTimeoutError(`Timed out after ${timeoutMs} ms waiting for ${client.address}`)),
      timeoutMs,
    );
  });
  const exchange = async (): Promise<Struct> => {
    await client.ready();
    return client.send(apiKey, apiVersion, body);
  };
  try {
    return await Promise.race([exchange(), deadline]);
  } finally {
    clearTimeout(timer);
    client.shutdown();
  }
}

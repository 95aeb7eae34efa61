/** Where a request goes. */
export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * "host:port" (an IPv6 host may be bracketed) → address, as Kafka's
 * ClientUtils.parseAndValidateAddresses checks bootstrap.servers; throws with Kafka's message.
 */
export function parseHostPort(value: string): BrokerAddress {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`Invalid url in bootstrap.servers: ${value}`);
  return { host: value.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

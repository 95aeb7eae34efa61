import { consoleLogger, type Logger } from '@samsa/common';
import type { ResponseOf } from '@samsa/protocol';
import { endPointConnectionString, type Broker, type EndPoint } from '@samsa/zk';
import type { ControlApiKey, ControlRequestOf } from './ControlRequests';
import { NetworkClient, type ClientSecurity } from '@samsa/client';

/** What the controller does with the broker's answer to a request of api `K`, decoded in that request's version. */
export type ResponseCallback<K extends ControlApiKey> = (response: ResponseOf<K>) => void;

/** Where a request batch sends its requests: the channel manager, or a recorder in tests. */
export interface ControlRequestSender {
  sendRequest<K extends ControlApiKey>(
    brokerId: number,
    request: ControlRequestOf<K>,
    callback?: ResponseCallback<K>,
  ): void;
}

export interface ControllerChannelManagerOptions {
  readonly controllerId: number;
  /** The listener brokers talk to each other on (Kafka inter.broker.listener.name). */
  readonly interBrokerListenerName: string;
  /**
   * The listener the controller connects to when it is not the inter-broker one: Kafka's
   * controllerToBrokerListenerName, control.plane.listener.name when set (KIP-291).
   */
  readonly controllerToBrokerListenerName?: string;
  /** controller.socket.timeout.ms: connect and request timeout. */
  readonly socketTimeoutMs: number;
  /** How connections to the brokers' controller listener are secured; PLAINTEXT when absent. */
  readonly security?: ClientSecurity;
  readonly reconnectBackoffMs?: number;
  readonly reconnectBackoffMaxMs?: number;
  /** Pause between failed sends of one request (Kafka RequestSendThread's 100 ms). */
  readonly retryBackoffMs?: number;
  /** The current controller epoch, for log lines. */
  readonly epoch?: () => number;
  readonly logger?: Logger;
}

/**
 * A queued request. The send and the callback are bound together when the request is queued, while
 * its api is still known, so the answer reaches the callback typed by that api.
 */
interface QueueItem {
  readonly request: ControlRequestOf<ControlApiKey>;
  /** Sends the request on `client`; resolves with a function that hands the answer to the callback. */
  readonly exchange: (client: NetworkClient) => Promise<() => void>;
  readonly enqueuedAtMs: number;
}

/** The endpoint of `broker` on `listenerName`, or its first endpoint if it has no such listener. */
export function brokerEndPoint(broker: Broker, listenerName: string): EndPoint | undefined {
  return broker.endPoints.find((e) => e.listenerName === listenerName) ?? broker.endPoints[0];
}

/**
 * The controller's connections (Kafka ControllerChannelManager): per live broker one NetworkClient
 * and one queue, drained by one send loop (Kafka's RequestSendThread). A request is sent, and
 * resent after a reconnect, until the broker answers or leaves; then the next one goes. Requests
 * to a broker that is not (or no longer) registered are dropped.
 */
export class ControllerChannelManager implements ControlRequestSender {
  private readonly brokers = new Map<number, BrokerChannel>();
  private readonly logger: Logger;

  constructor(private readonly options: ControllerChannelManagerOptions) {
    this.logger = options.logger ?? consoleLogger(`ControllerChannelManager id=${options.controllerId}`);
  }

  startup(brokers: Iterable<Broker>): void {
    for (const broker of brokers) this.addBroker(broker);
  }

  get brokerIds(): number[] {
    return [...this.brokers.keys()].sort((a, b) => a - b);
  }

  queueSize(brokerId: number): number {
    return this.brokers.get(brokerId)?.queueSize ?? 0;
  }

  addBroker(broker: Broker): void {
    if (this.brokers.has(broker.id)) return;
    const channel = new BrokerChannel(broker, this.options, this.logger);
    this.brokers.set(broker.id, channel);
    channel.start();
  }

  /** Stops the broker's loop; its queued requests are dropped. */
  removeBroker(brokerId: number): void {
    const channel = this.brokers.get(brokerId);
    if (channel === undefined) return;
    this.brokers.delete(brokerId);
    void channel.stop();
  }

  sendRequest<K extends ControlApiKey>(
    brokerId: number,
    request: ControlRequestOf<K>,
    callback?: ResponseCallback<K>,
  ): void {
    const channel = this.brokers.get(brokerId);
    if (channel === undefined) {
      this.logger.warn(
        `Not sending request ${request.apiKey} v${request.apiVersion} to broker ${brokerId}, since it is offline.`,
      );
      return;
    }
    channel.enqueue({
      request,
      exchange: async (client) => {
        const response = await client.send(request.apiKey, request.apiVersion, request.body);
        return () => callback?.(response);
      },
      enqueuedAtMs: Date.now(),
    });
  }

  async shutdown(): Promise<void> {
    const channels = [...this.brokers.values()];
    this.brokers.clear();
    await Promise.all(channels.map((c) => c.stop()));
  }
}

/** One broker's queue, connection and send loop. */
class BrokerChannel {
  private readonly queue: QueueItem[] = [];
  private readonly client: NetworkClient | null;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => {};
  private readonly stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
  private readonly node: string;
  /** Whether the connection is known good (Kafka logs each connection the send thread makes). */
  private connected = false;

  constructor(
    private readonly broker: Broker,
    private readonly options: ControllerChannelManagerOptions,
    private readonly logger: Logger,
  ) {
    const endPoint = brokerEndPoint(broker, options.controllerToBrokerListenerName ?? options.interBrokerListenerName);
    this.node =
      endPoint === undefined
        ? `broker ${broker.id} (no endpoint)`
        : `${endPointConnectionString(endPoint)} (id: ${broker.id})`;
    this.client =
      endPoint === undefined
        ? null
        : new NetworkClient({
            host: endPoint.host,
            port: endPoint.port,
            clientId: `controller-${options.controllerId}-to-broker-${broker.id}`,
            requestTimeoutMs: options.socketTimeoutMs,
            reconnectBackoffMs: options.reconnectBackoffMs,
            reconnectBackoffMaxMs: options.reconnectBackoffMaxMs,
            security: options.security,
            logger: logger,
          });
  }

  get queueSize(): number {
    return this.queue.length;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  enqueue(item: QueueItem): void {
    this.queue.push(item);
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.queue.length = 0;
    this.client?.shutdown();
    this.signalStop();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const retryBackoffMs = this.options.retryBackoffMs ?? 100;
    while (this.running) {
      const item = this.queue.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const deliver = await this.sendUntilAnswered(item, retryBackoffMs);
      if (deliver === null || !this.running) continue;
      try {
        deliver();
      } catch (error) {
        this.logger.error(`Response callback for a request to ${this.node} failed`, error);
      }
    }
  }

  /**
   * Kafka RequestSendThread.doWork: retry the same request until it is answered or the broker is
   * removed. Resolves with the delivery of the answer to the request's callback, or null.
   */
  private async sendUntilAnswered(item: QueueItem, retryBackoffMs: number): Promise<(() => void) | null> {
    const { apiKey, apiVersion } = item.request;
    let failures = 0;
    while (this.running) {
      if (this.client === null) {
        this.logger.error(
          `Broker ${this.broker.id} has no endpoint; dropping request ${apiKey} v${apiVersion}`,
        );
        return null;
      }
      try {
        await this.client.ready();
        if (!this.connected) {
          this.connected = true;
          this.logger.info(`Controller ${this.options.controllerId} connected to ${this.node} for sending state change requests`);
        }
        return await item.exchange(this.client);
      } catch (error) {
        if (!this.running) return null;
        failures += 1;
        const message =
          `Controller ${this.options.controllerId} epoch ${this.options.epoch?.() ?? '?'} fails to send request ` +
          `${apiKey} v${apiVersion} to broker ${this.node} (attempt ${failures}). Reconnecting to broker: ` +
          (error as Error).message;
        // Warn once per request: a broker that stays unreachable would otherwise warn every backoff.
        if (failures === 1) this.logger.warn(message);
        else this.logger.debug(message);
        this.client.close('reset after a failed send');
        this.connected = false;
        await this.pause(retryBackoffMs);
      }
    }
    return null;
  }

  /** Sleeps `ms`, or less if the channel stops. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.stopped]);
    clearTimeout(timer);
  }
}

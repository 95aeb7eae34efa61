import { type Logger } from '@samsa/common';
import { KafkaZkClient } from '@samsa/zk';
import { ClusterMonitor } from './ClusterMonitor';
import { ClusterGroupsAdmin } from './collect/ClusterGroupsAdmin';
import type { GroupsAdmin } from './collect/GroupsReader';
import type { HttpAccess } from '@samsa/metrics';
import { nodeHttpRequester, type HttpClientAccess } from './collect/http';
import type { ZkSource } from './collect/ZkReader';
import { DashboardServer } from './server/DashboardServer';

export interface DashboardOptions {
  /** ZooKeeper connect string, with the cluster's chroot if any. */
  readonly zookeeper: string;
  /** host:port of brokers for the Admin API (consumer groups); none: no groups shown. */
  readonly bootstrapServers: readonly string[];
  /** 0: any free port. */
  readonly port: number;
  readonly host: string;
  /** HTTPS and a password for the dashboard's own page. */
  readonly access?: HttpAccess;
  /** How the brokers' metrics endpoints are reached: https with these CAs, basic authentication. */
  readonly metrics?: { readonly scheme: 'http' | 'https' } & HttpClientAccess;
  readonly intervalMs?: number;
  readonly log?: (line: string) => void;
}

export interface RunningDashboard {
  readonly url: string;
  readonly monitor: ClusterMonitor;
  close(): Promise<void>;
}

/** ZooKeeper client errors go to the dashboard's log as one line each (ClusterMonitor reports failures). */
function quietLogger(log: (line: string) => void): Logger {
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (m, e) => log(`zookeeper: ${m}${e instanceof Error ? `: ${e.message}` : ''}`),
    error: (m, e) => log(`zookeeper: ${m}${e instanceof Error ? `: ${e.message}` : ''}`),
  };
}

/** Wires the real sources (KafkaZkClient, Samsa's client for the Admin calls, node:http) to the monitor and the server. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const log = options.log ?? (() => undefined);
  const http = nodeHttpRequester(options.metrics);
  // What close() must disconnect; the monitor connects lazily and again after a failure.
  const open: { zk?: KafkaZkClient; admin?: ClusterGroupsAdmin } = {};
  const connectZk = async (): Promise<ZkSource> => {
    const zk = await KafkaZkClient.connect(options.zookeeper, {
      sessionTimeoutMs: 30_000,
      connectionTimeoutMs: 5000,
      name: 'dashboard',
      logger: quietLogger(log),
    });
    open.zk = zk;
    return zk;
  };
  const connectAdmin = async (registered: readonly string[]): Promise<GroupsAdmin> => {
    open.admin?.close();
    const created = ClusterGroupsAdmin.connect(registered.length > 0 ? registered : options.bootstrapServers, {
      clientId: 'samsa-dashboard',
      requestTimeoutMs: 5000,
    });
    open.admin = created;
    return created;
  };
  const monitor = new ClusterMonitor({
    zkConnect: options.zookeeper,
    connectZk,
    connectAdmin: options.bootstrapServers.length > 0 ? connectAdmin : null,
    http,
    metricsScheme: options.metrics?.scheme,
    intervalMs: options.intervalMs,
    log,
  });
  const server = new DashboardServer(monitor, { port: options.port, host: options.host, access: options.access });
  const url = await server.listen();
  monitor.start();
  return {
    url,
    monitor,
    async close() {
      monitor.stop();
      await server.close();
      http.close();
      open.admin?.close();
      await Promise.allSettled([open.zk?.close()]);
    },
  };
}

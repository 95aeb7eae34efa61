/** @samsa/dashboard — the ops web page over ZooKeeper, the brokers' metrics endpoints and the Admin API. */
export * from './model/viewModel';
export * from './model/snapshots';
export { buildClusterView, metricsUrlOf, partitionStateOf, type ClusterViewInput } from './model/ClusterView';
export { EventLog, type BrokerEventsPage, type RawBrokerEvent } from './model/EventLog';
export { MetricHistory } from './model/MetricHistory';
export { readZkSnapshot, type ZkSource } from './collect/ZkReader';
export { MetricsPoller } from './collect/MetricsPoller';
export { readGroups, type GroupsAdmin } from './collect/GroupsReader';
export { nodeHttpRequester, type HttpRequester } from './collect/http';
export { ClusterMonitor, type ClusterMonitorOptions } from './ClusterMonitor';
export { DashboardServer, type ViewSource } from './server/DashboardServer';
export { startDashboard, type DashboardOptions, type RunningDashboard } from './Dashboard';

/**
 * Which workspace package may import which: the one-way dependency graph of docs/architecture.md,
 * as data. eslint.config.js turns it into `no-restricted-imports` rules (so `make test` fails on an
 * arrow the wrong way), and tests/integration/lint/dependencies.test.ts checks that every package's
 * package.json and tsconfig.json references agree with it.
 *
 * Layers, bottom up: common, metrics → protocol → security → zk, storage, client → admin-zk, controller,
 * coordinator → broker; the tools (admin, cluster, dashboard) sit beside the broker and never import it.
 */
const ALLOWED_DEPENDENCIES = {
  common: [],
  metrics: [],
  protocol: ['common'],
  security: ['common', 'protocol'],
  zk: ['common', 'protocol', 'security'],
  storage: ['common', 'protocol'],
  client: ['common', 'protocol', 'security'],
  'admin-zk': ['common', 'protocol', 'security', 'zk', 'storage'],
  controller: ['common', 'protocol', 'security', 'zk', 'client', 'metrics'],
  coordinator: ['common', 'protocol', 'zk', 'storage'],
  broker: ['common', 'protocol', 'security', 'zk', 'storage', 'client', 'metrics', 'admin-zk', 'controller', 'coordinator'],
  admin: ['common', 'protocol', 'security', 'zk', 'storage', 'client', 'admin-zk'],
  cluster: ['common', 'zk'],
  dashboard: ['common', 'protocol', 'zk', 'client', 'metrics'],
};

/** Every workspace package under packages/. */
const PACKAGES = Object.keys(ALLOWED_DEPENDENCIES);

module.exports = { ALLOWED_DEPENDENCIES, PACKAGES };

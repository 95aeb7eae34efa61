/**
 * Which workspace package may import which: the one-way dependency graph of docs/architecture.md,
 * as data. eslint.config.js turns it into `no-restricted-imports` rules (so `make test` fails on an
 * arrow the wrong way), and tests/integration/lint/dependencies.test.ts checks that every package's
 * package.json and tsconfig.json references agree with it.
 *
 * Layers, bottom up: common, metrics → protocol → zk, storage, client → admin-zk, controller,
 * coordinator → broker; the tools (admin, cluster, dashboard) sit beside the broker and never import it.
 */
const ALLOWED_DEPENDENCIES = {
  common: [],
  metrics: [],
  protocol: ['common'],
  zk: ['common', 'protocol'],
  storage: ['common', 'protocol'],
  client: ['common', 'protocol'],
  'admin-zk': ['common', 'protocol', 'zk', 'storage'],
  controller: ['common', 'protocol', 'zk', 'client', 'metrics'],
  coordinator: ['common', 'protocol', 'zk', 'storage'],
  broker: ['common', 'protocol', 'zk', 'storage', 'client', 'metrics', 'admin-zk', 'controller', 'coordinator'],
  admin: ['common', 'protocol', 'zk', 'storage', 'client', 'admin-zk'],
  cluster: ['common', 'zk'],
  dashboard: ['common', 'zk', 'metrics'],
};

/** Every workspace package under packages/. */
const PACKAGES = Object.keys(ALLOWED_DEPENDENCIES);

module.exports = { ALLOWED_DEPENDENCIES, PACKAGES };

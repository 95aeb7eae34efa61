'use strict';
/**
 * Test-only: loaded into a broker with `node --require` (tests/fault/writeBehindKill.test.ts). The
 * queued (write-behind) writes of segment files whose path contains "/slowwrites-" — the test's
 * topic — wait SLOW_WRITE_MS before write(2), so that appended bytes stay unwritten long enough for
 * a test to read, and kill -9 the broker, in between. Other files are written as usual.
 */
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { disk } = require(path.join(__dirname, '..', '..', 'packages', 'storage', 'dist', 'disk.js'));

const SLOW_WRITE_MS = 4000;
const writev = disk.writev.bind(disk);
disk.writev = async (fd, bufs, position) => {
  const file = disk.fdPaths.get(fd) ?? '';
  if (file.includes(`${path.sep}slowwrites-`)) await sleep(SLOW_WRITE_MS);
  return writev(fd, bufs, position);
};

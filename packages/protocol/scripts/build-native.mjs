#!/usr/bin/env node
// Compiles native/crc32c.c into native/build/crc32c.node (x86-64 Linux, a C compiler, Node-API
// headers). Without them the protocol package uses @node-rs/crc32, and says so once here.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(pkg, 'native', 'crc32c.c');
const out = path.join(pkg, 'native', 'build', 'crc32c.node');
const skip = (why) => {
  console.log(`protocol: native CRC32C not built (${why}); using @node-rs/crc32`);
  process.exit(0);
};

if (process.platform !== 'linux' || process.arch !== 'x64') skip(`${process.platform}/${process.arch}`);
if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) process.exit(0);

function headers() {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'include');
  } catch {
    const bundled = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
    return existsSync(path.join(bundled, 'node_api.h')) ? bundled : null;
  }
}
const include = headers();
if (!include) skip('no Node-API headers');
const cc = process.env.CC || 'cc';
mkdirSync(path.dirname(out), { recursive: true });
const args = ['-O3', '-std=gnu11', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', `-I${include}`, src, '-o', out];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error || r.status !== 0) skip(`${cc} ${r.error ? r.error.message : `exited ${r.status}`}`);
console.log(`protocol: built ${path.relative(process.cwd(), out)}`);

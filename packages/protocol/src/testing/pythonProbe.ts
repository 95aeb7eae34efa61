import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Test-only: runs Debian's /usr/bin/python3 with kafka-python for the live cross-client tests.
 * `XXHASH_SHIM` stands in for the `xxhash` module kafka-python's magic 0 LZ4 framing imports (Debian
 * does not package it) with libxxhash's XXH32 — the same shim gen-fixtures.sh uses.
 */

export const PYTHON = '/usr/bin/python3';

export const XXHASH_SHIM = `
import ctypes, sys, types
try:
    _lib = ctypes.CDLL('libxxhash.so.0')
    _lib.XXH32.restype = ctypes.c_uint32
    _lib.XXH32.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
    class _Xxh32:
        def __init__(self, data=b'', seed=0):
            data = bytes(data)
            self._h = _lib.XXH32(data, len(data), seed)
        def digest(self): return self._h.to_bytes(4, 'big')
    sys.modules['xxhash'] = types.SimpleNamespace(xxh32=_Xxh32)
except OSError:
    pass
`;

/** Null if kafka-python with snappy, lz4 and zstd is usable; otherwise why not. */
export function whyNoKafkaPython(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(
    PYTHON,
    [
      '-c',
      `${XXHASH_SHIM}\nfrom kafka import codec\nassert codec.has_snappy() and codec.has_lz4() and codec.has_zstd()\nimport xxhash`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (probe.status !== 0)
    return `kafka-python with snappy/lz4/zstd/libxxhash not importable: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

/** Runs a Python script with the shim; stdin and stdout are JSON. */
export function runPython<T>(script: string, input: unknown): T {
  const run = spawnSync(PYTHON, ['-c', `${XXHASH_SHIM}\n${script}`], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, seedFromEnv } from '../../testing/random';
import { compress, compressLz4, compressSnappy, CompressionType, decompress } from '.';
import { runPython, whyNoKafkaPython } from '../../testing/pythonProbe';
import { compressible } from '../../testing/testHelpers';

/**
 * Live cross-check against kafka-python 2.0.2's own codec functions, both ways: what kafka-python
 * compresses we decompress, what we compress kafka-python decompresses. Skipped, with the reason
 * printed, where /usr/bin/python3 and kafka-python are not installed (the checked-in fixtures cover
 * the first direction without Python).
 */

const why = whyNoKafkaPython();
if (why) console.log(`kafka-python live test skipped: ${why}`);
const live = why ? describe.skip : describe;

const seed = seedFromEnv();
const rng = new Rng(seed);

const PAYLOADS: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['one', Buffer.from([0x2a])],
  ['random', rng.bytes(300_000)],
  ['compressible', compressible(rng, 500_000)],
];

live('kafka-python codecs, live', () => {
  let dir: string;
  beforeAll(() => {
    console.log(`kafka-python live test seed=${seed}`);
    dir = mkdtempSync(join(tmpdir(), 'samsa-codec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('we decode what kafka-python encodes', () => {
    const jobs = PAYLOADS.map(([name, data]) => {
      writeFileSync(join(dir, `${name}.raw`), data);
      return { name, path: join(dir, name) };
    });
    const written = runPython<Array<{ name: string; codec: string; path: string }>>(
      `
import json, sys
from kafka import codec
jobs = json.load(sys.stdin)
out = []
encoders = {
  'gzip': codec.gzip_encode,
  'snappy-xerial': lambda b: codec.snappy_encode(b, xerial_compatible=True),
  'snappy-raw': lambda b: codec.snappy_encode(b, xerial_compatible=False),
  'lz4': codec.lz4_encode,
  'lz4-old-kafka': codec.lz4_encode_old_kafka,
  'zstd': codec.zstd_encode,
}
for job in jobs:
    data = open(job['path'] + '.raw', 'rb').read()
    for name, enc in encoders.items():
        path = '%s.%s' % (job['path'], name)
        open(path, 'wb').write(enc(data))
        out.append({'name': job['name'], 'codec': name, 'path': path})
print(json.dumps(out))
`,
      jobs,
    );
    const ids: Record<string, CompressionType> = {
      gzip: CompressionType.Gzip,
      'snappy-xerial': CompressionType.Snappy,
      'snappy-raw': CompressionType.Snappy,
      lz4: CompressionType.Lz4,
      'lz4-old-kafka': CompressionType.Lz4,
      zstd: CompressionType.Zstd,
    };
    expect(written.length).toBe(PAYLOADS.length * 6);
    for (const w of written) {
      const expected = PAYLOADS.find(([n]) => n === w.name)![1];
      const out = decompress(ids[w.codec], readFileSync(w.path));
      expect([w.name, w.codec, out.equals(expected)]).toEqual([w.name, w.codec, true]);
    }
  });

  it('kafka-python decodes what we encode', () => {
    const jobs: Array<{ name: string; codec: string; path: string; raw: string }> = [];
    for (const [name, data] of PAYLOADS) {
      const raw = join(dir, `${name}.raw`);
      writeFileSync(raw, data);
      const encodings: Array<[string, Buffer]> = [
        ['gzip', compress(CompressionType.Gzip, data)],
        ['snappy', compress(CompressionType.Snappy, data)],
        ['snappy-xerial', compressSnappy(data, { xerial: true })],
        ['lz4', compress(CompressionType.Lz4, data)],
        ['lz4-old-kafka', compressLz4(data, { legacyHeaderChecksum: true })],
        ['zstd', compress(CompressionType.Zstd, data)],
      ];
      for (const [codec, bytes] of encodings) {
        const path = join(dir, `${name}.ours.${codec}`);
        writeFileSync(path, bytes);
        jobs.push({ name, codec, path, raw });
      }
    }
    const results = runPython<Array<{ name: string; codec: string; ok: boolean; error?: string }>>(
      `
import json, sys
from kafka import codec
decoders = {
  'gzip': codec.gzip_decode,
  'snappy': codec.snappy_decode,
  'snappy-xerial': codec.snappy_decode,
  'lz4': codec.lz4_decode,
  'lz4-old-kafka': codec.lz4_decode_old_kafka,
  'zstd': codec.zstd_decode,
}
out = []
for job in json.load(sys.stdin):
    try:
        ok = decoders[job['codec']](open(job['path'], 'rb').read()) == open(job['raw'], 'rb').read()
        out.append({'name': job['name'], 'codec': job['codec'], 'ok': ok})
    except Exception as e:
        out.append({'name': job['name'], 'codec': job['codec'], 'ok': False, 'error': repr(e)})
print(json.dumps(out))
`,
      jobs,
    );
    expect(results.length).toBe(jobs.length);
    for (const r of results) expect(r).toEqual({ name: r.name, codec: r.codec, ok: true });
  });
});

#!/bin/sh
# Regenerates fixtures/*.bin and fixtures/manifest.json: bytes compressed by kafka-python 2.0.2's own
# codec functions (kafka.codec) and by the libraries behind them (python3-snappy, python3-lz4,
# python3-zstandard, zlib), plus XXH32 test vectors from libxxhash. The tests read the manifest:
# each fixture must decompress to `length` bytes with SHA-256 `sha256`.
# Needs Debian's /usr/bin/python3 with python3-kafka, -snappy, -lz4, -zstandard and libxxhash0.
set -eu
cd "$(dirname "$0")"
mkdir -p fixtures
rm -f fixtures/*.bin fixtures/manifest.json
exec /usr/bin/python3 - <<'PY'
import ctypes, gzip, hashlib, json, random, sys, types

# kafka-python's old-Kafka LZ4 framing needs the `xxhash` module, which Debian does not package;
# stand it in with libxxhash's XXH32 (digest() is big-endian, as python-xxhash's).
_lib = ctypes.CDLL('libxxhash.so.0')
_lib.XXH32.restype = ctypes.c_uint32
_lib.XXH32.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
def _xxh32_int(data, seed=0):
    data = bytes(data)
    return _lib.XXH32(data, len(data), seed)
class _Xxh32:
    def __init__(self, data=b'', seed=0): self._h = _xxh32_int(data, seed)
    def digest(self): return self._h.to_bytes(4, 'big')
    def intdigest(self): return self._h
sys.modules['xxhash'] = types.SimpleNamespace(xxh32=_Xxh32)

# gzip stamps the current time into its header: pin it, so that regenerating gives the same bytes.
import gzip as _gzip
_gzip.time = types.SimpleNamespace(time=lambda: 1600000000)

import kafka
from kafka import codec
import lz4.frame
import zstandard
assert kafka.__version__ == '2.0.2', kafka.__version__
assert codec.has_snappy() and codec.has_lz4() and codec.has_zstd()

payloads = {
    'empty': b'',
    'one': b'x',
    'text': ''.join('kafka record key-%d value-%d\n' % (i % 97, i % 13) for i in range(3000)).encode(),
    'random': random.Random(20240611).randbytes(4096),
}

manifest = []
def fixture(name, codec_name, payload_name, data, note):
    payload = payloads[payload_name]
    path = 'fixtures/%s.bin' % name
    with open(path, 'wb') as f:
        f.write(data)
    manifest.append({
        'file': name + '.bin', 'codec': codec_name, 'payload': payload_name, 'note': note,
        'length': len(payload), 'sha256': hashlib.sha256(payload).hexdigest(),
    })

for p in payloads:
    fixture('gzip-kafka-python-%s' % p, 'gzip', p, codec.gzip_encode(payloads[p]), 'kafka.codec.gzip_encode')
    fixture('snappy-xerial-kafka-python-%s' % p, 'snappy', p, codec.snappy_encode(payloads[p], xerial_compatible=True),
            'kafka.codec.snappy_encode(xerial_compatible=True): what kafka-python sends')
    fixture('snappy-raw-%s' % p, 'snappy', p, codec.snappy_encode(payloads[p], xerial_compatible=False),
            'kafka.codec.snappy_encode(xerial_compatible=False): raw block, as librdkafka and sarama send')
    fixture('lz4-kafka-python-%s' % p, 'lz4', p, codec.lz4_encode(payloads[p]),
            'kafka.codec.lz4_encode: LZ4 frame, independent blocks, content size')
    fixture('lz4-old-kafka-%s' % p, 'lz4', p, codec.lz4_encode_old_kafka(payloads[p]),
            'kafka.codec.lz4_encode_old_kafka: header checksum over the magic too (magic 0 messages)')
    fixture('zstd-kafka-python-%s' % p, 'zstd', p, codec.zstd_encode(payloads[p]), 'kafka.codec.zstd_encode')

text = payloads['text']
fixture('gzip-two-members-text', 'gzip', 'text', gzip.compress(text[:1000]) + gzip.compress(text[1000:]),
        'two concatenated gzip members')
fixture('lz4-linked-blocks-text', 'lz4', 'text',
        lz4.frame.compress(text, block_linked=True, block_size=lz4.frame.BLOCKSIZE_MAX64KB, store_size=False),
        'python-lz4 default: linked 64 KiB blocks (Kafka Java refuses these; we accept them)')
fixture('lz4-checksums-text', 'lz4', 'text',
        lz4.frame.compress(text, block_linked=False, content_checksum=True, block_checksum=True,
                           block_size=lz4.frame.BLOCKSIZE_MAX256KB),
        'block and content checksums, 256 KiB blocks')
fixture('lz4-two-frames-text', 'lz4', 'text',
        lz4.frame.compress(text[:5000], block_linked=False) + lz4.frame.compress(text[5000:], block_linked=False),
        'two concatenated frames')
fixture('zstd-no-content-size-text', 'zstd', 'text',
        zstandard.ZstdCompressor(write_content_size=False).compress(text),
        'no content size in the frame header, as Java ZstdOutputStream writes')
fixture('zstd-two-frames-text', 'zstd', 'text',
        zstandard.ZstdCompressor(write_checksum=True).compress(text[:7000]) + zstandard.ZstdCompressor().compress(text[7000:]),
        'two concatenated frames, the first with a checksum')
fixture('zstd-two-frames-no-size-text', 'zstd', 'text',
        zstandard.ZstdCompressor(write_content_size=False).compress(text[:7000])
        + zstandard.ZstdCompressor().compress(text[7000:]),
        'two concatenated frames, the first without a content size')

with open('fixtures/manifest.json', 'w') as f:
    json.dump(manifest, f, indent=1)
    f.write('\n')

rng = random.Random(7)
vectors = []
for n in list(range(0, 40)) + [64, 100, 1000]:
    b = rng.randbytes(n)
    vectors.append({'hex': b.hex(), 'seed': 0, 'xxh32': _xxh32_int(b)})
    if n in (5, 16, 33):
        vectors.append({'hex': b.hex(), 'seed': 2654435761, 'xxh32': _xxh32_int(b, 2654435761)})
with open('fixtures/xxh32-vectors.json', 'w') as f:
    json.dump(vectors, f, indent=1)
    f.write('\n')
print('wrote %d fixtures' % len(manifest))
PY

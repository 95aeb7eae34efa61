#!/bin/sh
# Regenerates fixtures/*.bin and fixtures/manifest.json: legacy message sets (magic 0 and 1) built
# by kafka-python 2.0.2's own LegacyRecordBatchBuilder, for every codec it supports with legacy
# messages (none, gzip, snappy, lz4; it has no zstd for magic < 2). The expected records in the
# manifest are what kafka-python's own reader (MemoryRecords) decodes from the same bytes.
#
# Styles:
#   produce  exactly what kafka-python sends in Produce v0–2: offsets 0..n-1, wrapper offset 0
#            (and wrapper timestamp 0 for magic 1).
#   fetch    what a broker stores and returns: absolute offsets from 1000. For compressed sets the
#            builder's wrapper offset is patched to the last offset (the offset is outside the CRC).
#   mixed    magic 1: two uncompressed messages, then a gzip wrapper, then a message cut short, as a
#            fetch at max bytes returns it.
# Needs Debian's /usr/bin/python3 with python3-kafka, -snappy, -lz4 and libxxhash0.
set -eu
cd "$(dirname "$0")"
mkdir -p fixtures
rm -f fixtures/*.bin fixtures/manifest.json
exec /usr/bin/python3 - <<'PY'
import ctypes, json, struct, sys, types

# kafka-python's magic 0 LZ4 framing needs the `xxhash` module, which Debian does not package;
# stand it in with libxxhash's XXH32 (digest() is big-endian, as python-xxhash's).
_lib = ctypes.CDLL('libxxhash.so.0')
_lib.XXH32.restype = ctypes.c_uint32
_lib.XXH32.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint32]
class _Xxh32:
    def __init__(self, data=b'', seed=0):
        data = bytes(data)
        self._h = _lib.XXH32(data, len(data), seed)
    def digest(self): return self._h.to_bytes(4, 'big')
sys.modules['xxhash'] = types.SimpleNamespace(xxh32=_Xxh32)

# gzip stamps the current time into its header: pin it, so that regenerating gives the same bytes.
import gzip as _gzip
_gzip.time = types.SimpleNamespace(time=lambda: 1600000000)

import kafka
from kafka.record import MemoryRecords
from kafka.record.legacy_records import LegacyRecordBatchBuilder
assert kafka.__version__ == '2.0.2', kafka.__version__

RECORDS = [
    (None, b'v0'),
    (b'k1', b''),
    (b'', None),
    (b'key-3', b'value ' * 50),
    (b'\xff\x00', u'h\u00e9llo w\u00f6rld'.encode('utf-8')),
]
TIMESTAMPS = [1600000000000, 1600000005000, 1600000001000, 1600000005000, 1600000002000]
CODECS = {0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4'}
BASE = 1000

def build(magic, codec, first_offset):
    b = LegacyRecordBatchBuilder(magic=magic, compression_type=codec, batch_size=1 << 20)
    for i, (key, value) in enumerate(RECORDS):
        # magic 1 compressed: inner offsets are relative, whatever the base
        offset = i if (magic == 1 and codec) else first_offset + i
        assert b.append(offset, timestamp=TIMESTAMPS[i], key=key, value=value) is not None
    return bytes(b.build())

def patch_wrapper_offset(buf, offset):
    return struct.pack('>q', offset) + buf[8:]

def hexes(b):
    return None if b is None else bytes(b).hex()

def decode_with_kafka_python(buf):
    out = []
    records = MemoryRecords(buf)
    while True:
        batch = records.next_batch()
        if batch is None:
            break
        for r in batch:
            out.append({
                'offset': r.offset,
                'timestamp': -1 if r.timestamp is None else r.timestamp,
                'timestampType': -1 if r.timestamp_type is None else r.timestamp_type,
                'key': hexes(r.key),
                'value': hexes(r.value),
            })
    return out

manifest = []
def fixture(name, magic, codec, style, buf):
    with open('fixtures/%s.bin' % name, 'wb') as f:
        f.write(buf)
    manifest.append({'file': name + '.bin', 'magic': magic, 'codec': codec, 'style': style,
                     'records': decode_with_kafka_python(buf)})

for magic in (0, 1):
    for codec, codec_name in CODECS.items():
        fixture('v%d-%s-produce' % (magic, codec_name), magic, codec, 'produce', build(magic, codec, 0))
        fetch = build(magic, codec, BASE)
        if codec:
            fetch = patch_wrapper_offset(fetch, BASE + len(RECORDS) - 1)
        fixture('v%d-%s-fetch' % (magic, codec_name), magic, codec, 'fetch', fetch)

plain = build(1, 0, BASE)
first_two = plain[:sum(12 + struct.unpack('>i', plain[p + 8:p + 12])[0] for p in (0, 12 + struct.unpack('>i', plain[8:12])[0]))]
wrapper = patch_wrapper_offset(build(1, 1, 0), BASE + 2 + len(RECORDS) - 1)
tail = build(1, 0, BASE + 7)
fixture('v1-mixed-truncated', 1, 1, 'mixed', first_two + wrapper + tail[:len(tail) - 30])

with open('fixtures/manifest.json', 'w') as f:
    json.dump(manifest, f, indent=1)
    f.write('\n')
print('wrote %d fixtures' % len(manifest))
PY

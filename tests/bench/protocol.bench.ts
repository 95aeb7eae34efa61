/**
 * Protocol hot paths (issue "complete Kafka wire protocol", benchmark section):
 *  1. produce-path validation of 1 MB batches of 1 KB records: CRC32C + header checks + in-place
 *     offset assignment, no per-record decode — goal ≥ 2 GB/s;
 *  2. full record decode — goal ≥ 300 MB/s;
 *  3. Fetch response encode for 1 MB of stored batches — the record bytes must not be copied.
 * Run: make bench BENCH=protocol   (or: node --import tsx tests/bench/run.ts protocol)
 */
import { assignOffsets, buildBatch, decodeBatch, encodeResponse, validateBatches } from '@samsa/protocol';

function makeBatch(recordBytes: number, batchBytes: number): Buffer {
  const n = Math.floor(batchBytes / (recordBytes + 10));
  const value = Buffer.alloc(recordBytes, 'a');
  for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
  return buildBatch(Array.from({ length: n }, () => ({ value })), { baseTimestamp: Date.now() });
}

function timeIt(label: string, bytesPerOp: number, minMs: number, op: () => void): number {
  for (let i = 0; i < 20; i++) op(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    for (let i = 0; i < 50; i++) op();
    ops += 50;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const mbPerSec = (bytesPerOp * ops) / (elapsedMs / 1000) / 1e6;
  console.log(`${label}: ${mbPerSec.toFixed(0)} MB/s (${ops} ops of ${(bytesPerOp / 1e6).toFixed(2)} MB in ${elapsedMs.toFixed(0)} ms)`);
  return mbPerSec;
}

const batch = makeBatch(1000, 1 << 20);
console.log(`batch: ${batch.length} bytes, ${batch.readInt32BE(57)} records of 1000 B`);

const validate = timeIt('produce-path validate + assign offsets (1 MB batch, 1 KB records)', batch.length, 2000, () => {
  validateBatches(batch, { fromClient: true, maxBatchBytes: 2 << 20 });
  assignOffsets(batch, 12345, 3);
});

const decode = timeIt('full record decode (1 MB batch, 1 KB records)', batch.length, 2000, () => {
  decodeBatch(batch);
});

const small = makeBatch(100, 1 << 20);
const decodeSmall = timeIt('full record decode (1 MB batch, 100 B records)', small.length, 2000, () => {
  decodeBatch(small);
});

// Fetch response: the stored batches (as a segment read would return them) go into the response
// as references. Count how many of the response's chunks are the very same Buffer objects.
const stored = [makeBatch(1000, 256 << 10), makeBatch(1000, 256 << 10), makeBatch(1000, 256 << 10), makeBatch(1000, 256 << 10)];
const storedBytes = stored.reduce((n, b) => n + b.length, 0);
const body = {
  throttleTimeMs: 0,
  errorCode: 0,
  sessionId: 0,
  responses: [
    {
      topic: 'bench',
      partitionResponses: [
        { partition: 0, errorCode: 0, highWatermark: 1e6, lastStableOffset: 1e6, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: -1, recordSet: stored },
      ],
    },
  ],
};
const chunks = encodeResponse(1, 11, 1, body);
const shared = chunks.filter((c) => stored.includes(c));
const copiedBytes = chunks.reduce((n, c) => n + (stored.includes(c) ? 0 : c.length), 0);
console.log(
  `fetch response encode (v11, ${(storedBytes / 1e6).toFixed(2)} MB of batches): ${chunks.length} chunks, ` +
    `${shared.length}/${stored.length} record buffers passed by reference, ${copiedBytes} bytes written besides them ` +
    `(record bytes copied: ${storedBytes - shared.reduce((n, c) => n + c.length, 0)})`,
);
let encodes = 0;
const encodeStart = process.hrtime.bigint();
while (encodes < 200_000) {
  encodeResponse(1, 11, 1, body);
  encodes++;
}
const encodeUs = Number(process.hrtime.bigint() - encodeStart) / 1e3 / encodes;
console.log(`fetch response encode (header + 1 partition, batches by reference): ${encodeUs.toFixed(2)} µs per response`);

console.log(
  JSON.stringify({ validateMBps: Math.round(validate), decodeMBps: Math.round(decode), decodeSmallMBps: Math.round(decodeSmall), fetchEncodeUs: Number(encodeUs.toFixed(2)), fetchRecordBytesCopied: storedBytes - shared.reduce((n, c) => n + c.length, 0) }),
);

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBatch, buildEndTxnMarkerBatch, ControlRecordType } from '@samsa/protocol';
import { runDumpLog } from './DumpLogSegments';

/**
 * kafka-dump-log of a partition with transactions, against what Kafka 2.1.1's tool printed for the
 * same bytes (wave2/transactions.txt): the `.txnindex` after T4 was aborted, and control records.
 */
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dump-txn-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function dump(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runDumpLog(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** xxd of txn-0/00000000000000000000.txnindex after T4's abort. */
const TXN0_INDEX =
  '0000 0000 0000 0000 03e8 0000 0000 0000 0003 0000 0000 0000 0004 0000 0000 0000 0005 ' +
  '0000 0000 0000 0000 03e8 0000 0000 0000 0005 0000 0000 0000 0006 0000 0000 0000 0007';

test("a .txnindex is printed as Kafka's DumpLogSegments prints it", () => {
  const file = path.join(dir, '00000000000000000000.txnindex');
  fs.writeFileSync(file, Buffer.from(TXN0_INDEX.replace(/ /g, ''), 'hex'));
  const r = dump('--files', file);
  expect(r.code).toBe(0);
  expect(r.out).toEqual([
    `Dumping ${file}`,
    'version: 0 producerId: 1000 firstOffset: 3 lastOffset: 4 lastStableOffset: 5',
    'version: 0 producerId: 1000 firstOffset: 5 lastOffset: 6 lastStableOffset: 7',
  ]);
});

test('control records print their marker and coordinator epoch', () => {
  const data = buildBatch([{ key: 'c1', value: 'commit-1' }], {
    producerId: 1000,
    producerEpoch: 0,
    baseSequence: 0,
    isTransactional: true,
    baseTimestamp: 1796623921500,
    partitionLeaderEpoch: 0,
  });
  const commit = buildEndTxnMarkerBatch({
    type: ControlRecordType.COMMIT,
    producerId: 1000,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: 1796623921871,
    baseOffset: 1,
    partitionLeaderEpoch: 0,
  });
  const file = path.join(dir, '00000000000000000000.log');
  fs.writeFileSync(file, Buffer.concat([data, commit]));
  const r = dump('--files', file, '--deep-iteration');
  expect(r.code).toBe(0);
  // transactions.txt, txn-1 offset 1 (position 78 there too: a 1-record batch before it).
  expect(r.out).toContain(
    'offset: 1 position: 78 CreateTime: 1796623921871 isvalid: true keysize: 4 valuesize: 6 magic: 2 compresscodec: NONE producerId: 1000 producerEpoch: 0 sequence: -1 isTransactional: true headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 0',
  );
});

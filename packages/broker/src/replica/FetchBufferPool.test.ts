import { FetchBufferPool } from './FetchBufferPool';

describe('FetchBufferPool', () => {
  const CHUNK = FetchBufferPool.CHUNK_BYTES;

  test('lendsAChunkForSlicesThatFitAndReusesItOnlyAfterRelease', () => {
    const pool = new FetchBufferPool();
    const a = pool.acquire(1000);
    expect(a.length).toBe(CHUNK);
    const b = pool.acquire(CHUNK);
    expect(b.buffer).not.toBe(a.buffer); // a is still lent
    pool.release(a.subarray(0, 1000)); // a view of the chunk gives it back too
    expect(pool.freeChunks).toBe(1);
    const c = pool.acquire(10);
    expect(c.buffer).toBe(a.buffer);
    expect(pool.freeChunks).toBe(0);
  });

  test('aSecondReleaseOrAForeignBufferIsIgnored', () => {
    const pool = new FetchBufferPool();
    const a = pool.acquire(100);
    pool.release(a);
    pool.release(a);
    pool.release(Buffer.alloc(CHUNK));
    expect(pool.freeChunks).toBe(1);
    const b = pool.acquire(100);
    const c = pool.acquire(100);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer); // the chunk was not handed out twice
  });

  test('largerSlicesAndEmptyOnesGetTheirOwnBuffersAndTheFreeListIsCapped', () => {
    const pool = new FetchBufferPool(2);
    const big = pool.acquire(CHUNK + 1);
    expect(big.length).toBe(CHUNK + 1);
    pool.release(big);
    expect(pool.freeChunks).toBe(0);
    expect(pool.acquire(0).length).toBe(0);
    const lent = [pool.acquire(1), pool.acquire(1), pool.acquire(1)];
    for (const b of lent) pool.release(b);
    expect(pool.freeChunks).toBe(2);
  });
});

import { ErrorCode, KafkaError } from '../../errors';
import { compressionTypeName, decompressAsync, inflatedTooLarge, isCompressionType } from '../compression';
import { corruptMessage } from './format';
import { MessageView, readMessage } from './message';

/**
 * Inflates every compressed wrapper of a produced legacy message set ahead of its conversion
 * (convert.ts), gzip on the thread pool, so a hostile wrapper's inflate work does not hold the
 * event loop. The wrappers together may inflate to at most `maxInflatedBytes`: each one's codec is
 * given what is left of that bound and stops there (RECORD_LIST_TOO_LARGE), so the work and memory
 * a gzip bomb costs are the bound's, not the bomb's. Returns each wrapper's inner message set by
 * the wrapper's position, as `forEachLegacyRecord` takes it (`ScanOptions.inflated`).
 */
export async function inflateLegacyWrappers(
  buf: Buffer,
  { maxInflatedBytes }: { readonly maxInflatedBytes: number },
): Promise<ReadonlyMap<number, Buffer>> {
  const inflated = new Map<number, Buffer>();
  const wrapper = new MessageView();
  let left = maxInflatedBytes;
  for (let pos = 0; readMessage(buf, pos, buf.length, wrapper); pos = wrapper.end) {
    const codec = wrapper.codec;
    if (codec === 0) continue;
    if (!isCompressionType(codec)) {
      throw corruptMessage(`message at ${wrapper.position} has unknown codec ${compressionTypeName(codec)}`);
    }
    const value = wrapper.value();
    if (value === null) throw corruptMessage(`compressed message at ${wrapper.position} has a null value`);
    const position = wrapper.position;
    let data: Buffer;
    try {
      data = await decompressAsync(codec, value, left);
    } catch (err) {
      if (err instanceof KafkaError && err.code === ErrorCode.MESSAGE_TOO_LARGE) {
        throw inflatedTooLarge('legacy message set', maxInflatedBytes);
      }
      throw err;
    }
    inflated.set(position, data);
    left -= data.length;
  }
  return inflated;
}

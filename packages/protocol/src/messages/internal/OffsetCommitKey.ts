import type { MessageSpec } from '../../schema/types';

/** Key of a committed-offset record in __consumer_offsets (key versions 0-1: group, topic, partition). */
export const OffsetCommitKey = {
  name: 'OffsetCommitKey',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'group', type: 'string', versions: '0-1' },
    { name: 'topic', type: 'string', versions: '0-1' },
    { name: 'partition', type: 'int32', versions: '0-1' },
  ],
} as const satisfies MessageSpec;

import type { MessageSpec } from '../../schema/types';

/** Value of a committed-offset record in __consumer_offsets; a null value is a tombstone. */
export const OffsetCommitValue = {
  name: 'OffsetCommitValue',
  type: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'offset', type: 'int64', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '3+', default: -1, ignorable: true },
    { name: 'metadata', type: 'string', versions: '0+' },
    { name: 'commitTimestamp', type: 'int64', versions: '0+' },
    { name: 'expireTimestamp', type: 'int64', versions: '1', default: -1, ignorable: true },
  ],
} as const satisfies MessageSpec;

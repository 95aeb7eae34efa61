import type { MessageSpec } from '../../schema/types';

/** Assignment bytes the group leader hands each member in SyncGroup for the `consumer` protocol type. */
export const ConsumerProtocolAssignment = {
  name: 'ConsumerProtocolAssignment',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    {
      name: 'assignedPartitions',
      type: '[]struct',
      versions: '0+',
      fields: [
        { name: 'topic', type: 'string', versions: '0+' },
        { name: 'partitions', type: '[]int32', versions: '0+' },
      ],
    },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
} as const satisfies MessageSpec;

import type { MessageSpec } from '../../schema/types';

/** What a consumer sends in JoinGroup for protocol type `consumer`: topics, user data, owned partitions. */
export const ConsumerProtocolSubscription = {
  name: 'ConsumerProtocolSubscription',
  type: 'data',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: '[]string', versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'ownedPartitions',
      type: '[]struct',
      versions: '1+',
      ignorable: true,
      fields: [
        { name: 'topic', type: 'string', versions: '1+' },
        { name: 'partitions', type: '[]int32', versions: '1+' },
      ],
    },
  ],
} as const satisfies MessageSpec;

import type { MessageSpec } from '../../schema/types';

/** Key of a group-metadata record in __consumer_offsets (key version 2: the group id). */
export const GroupMetadataKey = {
  name: 'GroupMetadataKey',
  type: 'data',
  validVersions: '2',
  flexibleVersions: 'none',
  fields: [{ name: 'group', type: 'string', versions: '2' }],
} as const satisfies MessageSpec;

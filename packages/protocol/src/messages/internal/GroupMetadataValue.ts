import type { FieldSpec, MessageSpec } from '../../schema/types';

const memberMetadataFields = [
  { name: 'memberId', type: 'string', versions: '0+' },
  {
    name: 'groupInstanceId',
    type: 'string',
    versions: '3+',
    nullableVersions: '3+',
    default: null,
    ignorable: true,
  },
  { name: 'clientId', type: 'string', versions: '0+' },
  { name: 'clientHost', type: 'string', versions: '0+' },
  { name: 'rebalanceTimeout', type: 'int32', versions: '1+', ignorable: true },
  { name: 'sessionTimeout', type: 'int32', versions: '0+' },
  { name: 'subscription', type: 'bytes', versions: '0+' },
  { name: 'assignment', type: 'bytes', versions: '0+' },
] as const satisfies readonly FieldSpec[];

/** Value of a group-metadata record in __consumer_offsets: generation, leader and members. */
export const GroupMetadataValue = {
  name: 'GroupMetadataValue',
  type: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'protocolType', type: 'string', versions: '0+' },
    { name: 'generation', type: 'int32', versions: '0+' },
    { name: 'protocol', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'leader', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'currentStateTimestamp', type: 'int64', versions: '2+', default: -1, ignorable: true },
    { name: 'members', type: '[]struct', versions: '0+', fields: memberMetadataFields },
  ],
} as const satisfies MessageSpec;

/** Data schemas that are not APIs: __consumer_offsets records and the consumer protocol. */
export { OffsetCommitKey } from './OffsetCommitKey';
export { OffsetCommitValue } from './OffsetCommitValue';
export { GroupMetadataKey } from './GroupMetadataKey';
export { GroupMetadataValue } from './GroupMetadataValue';
export { ConsumerProtocolSubscription } from './ConsumerProtocolSubscription';
export { ConsumerProtocolAssignment } from './ConsumerProtocolAssignment';

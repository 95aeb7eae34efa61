/**
 * @samsa/coordinator — the broker-side coordinators that keep their state in an internal topic:
 * the group coordinator (consumer groups and committed offsets over __consumer_offsets) in group/,
 * and the transaction coordinator's beginnings beside it in transaction/ (the ProducerIdManager,
 * which hands out producer ids in blocks claimed through ZooKeeper). They reach the log only through the narrow
 * interfaces they declare (CoordinatorReplicaManager); the broker wires them to its ReplicaManager.
 */
export * from './group/ConsumerProtocol';
export * from './group/CoordinatorTimer';
export * from './group/GroupAdmin';
export * from './group/GroupCoordinator';
export * from './group/GroupMetadata';
export * from './group/GroupMetadataManager';
export * from './group/GroupMetadataRecords';
export * from './group/GroupMetadataReplay';
export * from './group/GroupOffsets';
export * from './group/GroupRebalance';
export * from './group/GroupRequests';
export * from './group/GroupResults';
export * from './group/GroupState';
export * from './group/MemberHeartbeats';
export * from './group/MemberMetadata';
export * from './group/OffsetConfig';
export * from './group/partitionFor';
export * from './transaction/ProducerIdManager';
export * from './transaction/TransactionConfig';
export * from './transaction/TransactionCoordinator';
export * from './transaction/TransactionLog';
export * from './transaction/TransactionMarkerChannelManager';
export * from './transaction/TransactionMetadata';
export * from './transaction/TransactionState';
export * from './transaction/TransactionStateManager';
export * from './transaction/TxnMarker';

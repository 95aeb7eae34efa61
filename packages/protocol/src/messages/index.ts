/** Every API schema, in api-key order. One file per API; this list is the only registry. */
import type { ApiSpec } from '../schema/types';
import { Produce } from './Produce';
import { Fetch } from './Fetch';
import { ListOffsets } from './ListOffsets';
import { Metadata } from './Metadata';
import { LeaderAndIsr } from './LeaderAndIsr';
import { StopReplica } from './StopReplica';
import { UpdateMetadata } from './UpdateMetadata';
import { ControlledShutdown } from './ControlledShutdown';
import { OffsetCommit } from './OffsetCommit';
import { OffsetFetch } from './OffsetFetch';
import { FindCoordinator } from './FindCoordinator';
import { JoinGroup } from './JoinGroup';
import { Heartbeat } from './Heartbeat';
import { LeaveGroup } from './LeaveGroup';
import { SyncGroup } from './SyncGroup';
import { DescribeGroups } from './DescribeGroups';
import { ListGroups } from './ListGroups';
import { SaslHandshake } from './SaslHandshake';
import { ApiVersions } from './ApiVersions';
import { CreateTopics } from './CreateTopics';
import { DeleteTopics } from './DeleteTopics';
import { DeleteRecords } from './DeleteRecords';
import { InitProducerId } from './InitProducerId';
import { OffsetForLeaderEpoch } from './OffsetForLeaderEpoch';
import { AddPartitionsToTxn } from './AddPartitionsToTxn';
import { AddOffsetsToTxn } from './AddOffsetsToTxn';
import { EndTxn } from './EndTxn';
import { WriteTxnMarkers } from './WriteTxnMarkers';
import { TxnOffsetCommit } from './TxnOffsetCommit';
import { DescribeAcls } from './DescribeAcls';
import { CreateAcls } from './CreateAcls';
import { DeleteAcls } from './DeleteAcls';
import { DescribeConfigs } from './DescribeConfigs';
import { AlterConfigs } from './AlterConfigs';
import { AlterReplicaLogDirs } from './AlterReplicaLogDirs';
import { DescribeLogDirs } from './DescribeLogDirs';
import { SaslAuthenticate } from './SaslAuthenticate';
import { CreatePartitions } from './CreatePartitions';
import { CreateDelegationToken } from './CreateDelegationToken';
import { RenewDelegationToken } from './RenewDelegationToken';
import { ExpireDelegationToken } from './ExpireDelegationToken';
import { DescribeDelegationToken } from './DescribeDelegationToken';
import { DeleteGroups } from './DeleteGroups';
import { ElectLeaders } from './ElectLeaders';
import { IncrementalAlterConfigs } from './IncrementalAlterConfigs';
import { AlterPartitionReassignments } from './AlterPartitionReassignments';
import { ListPartitionReassignments } from './ListPartitionReassignments';
import { OffsetDelete } from './OffsetDelete';
import { DescribeClientQuotas } from './DescribeClientQuotas';
import { AlterClientQuotas } from './AlterClientQuotas';
import { DescribeUserScramCredentials } from './DescribeUserScramCredentials';
import { AlterUserScramCredentials } from './AlterUserScramCredentials';
import { AlterIsr } from './AlterIsr';
import { UpdateFeatures } from './UpdateFeatures';
import { DescribeCluster } from './DescribeCluster';
import { DescribeProducers } from './DescribeProducers';

export const ALL_APIS: readonly ApiSpec[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  LeaderAndIsr,
  StopReplica,
  UpdateMetadata,
  ControlledShutdown,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  WriteTxnMarkers,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  AlterReplicaLogDirs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  CreateDelegationToken,
  RenewDelegationToken,
  ExpireDelegationToken,
  DescribeDelegationToken,
  DeleteGroups,
  ElectLeaders,
  IncrementalAlterConfigs,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  OffsetDelete,
  DescribeClientQuotas,
  AlterClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  AlterIsr,
  UpdateFeatures,
  DescribeCluster,
  DescribeProducers,
];

export {
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  LeaderAndIsr,
  StopReplica,
  UpdateMetadata,
  ControlledShutdown,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  WriteTxnMarkers,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  AlterReplicaLogDirs,
  DescribeLogDirs,
  SaslAuthenticate,
  CreatePartitions,
  CreateDelegationToken,
  RenewDelegationToken,
  ExpireDelegationToken,
  DescribeDelegationToken,
  DeleteGroups,
  ElectLeaders,
  IncrementalAlterConfigs,
  AlterPartitionReassignments,
  ListPartitionReassignments,
  OffsetDelete,
  DescribeClientQuotas,
  AlterClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  AlterIsr,
  UpdateFeatures,
  DescribeCluster,
  DescribeProducers,
};

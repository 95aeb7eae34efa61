import { topicPartitionKey, type Logger, type TopicPartition } from '@samsa/common';
import { ErrorCode } from '@samsa/protocol';
import type { GroupApi } from './GroupRequests';
import type { GroupMetadata } from './GroupMetadata';
import type { GroupMetadataManager } from './GroupMetadataManager';
import { DEAD_GROUP, NO_GROUP, type GroupOverview, type GroupSummary } from './GroupResults';
import { isGroupState } from './GroupState';

export interface DeleteOffsetsResult {
  readonly groupError: number;
  readonly partitionErrors: { tp: TopicPartition; error: number }[];
}

/** What GroupAdmin needs of the coordinator: whether it serves, and whether it serves a group. */
export interface CoordinatorStatus {
  isActive(): boolean;
  validateGroupStatus(groupId: string | null, api: GroupApi): number | null;
}

/**
 * The coordinator's administrative requests (ListGroups, DescribeGroups, DeleteGroups,
 * OffsetDelete) and the cleanup after topic deletion: they read and remove groups and offsets, and
 * never take part in a rebalance.
 */
export class GroupAdmin {
  constructor(
    private readonly status: CoordinatorStatus,
    private readonly groupManager: GroupMetadataManager,
    private readonly logger: Logger,
  ) {}

  /** ListGroups: every cached group (in `states` when given); COORDINATOR_LOAD_IN_PROGRESS while any partition loads. */
  handleListGroups(states: readonly string[]): { error: number; groups: GroupOverview[] } {
    if (!this.status.isActive()) return { error: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const error = this.groupManager.isLoading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    const wanted = new Set(states.filter(isGroupState));
    const groups = this.groupManager.currentGroups.filter(
      (g) => states.length === 0 || wanted.has(g.currentState),
    );
    return { error, groups: groups.map((g) => g.overview()) };
  }

  handleDescribeGroup(groupId: string): { error: number; summary: GroupSummary } {
    const error = this.status.validateGroupStatus(groupId, 'DescribeGroups');
    if (error !== null) return { error, summary: NO_GROUP };
    const group = this.groupManager.getGroup(groupId);
    return { error: ErrorCode.NONE, summary: group ? group.summary() : DEAD_GROUP };
  }

  /** DeleteGroups: Empty groups die with their offsets; groups with members are NON_EMPTY_GROUP. */
  handleDeleteGroups(groupIds: readonly string[]): Map<string, number> {
    const errors = new Map<string, number>();
    const eligible: GroupMetadata[] = [];
    for (const groupId of groupIds) {
      const error = this.status.validateGroupStatus(groupId, 'DeleteGroups');
      if (error !== null) {
        errors.set(groupId, error);
        continue;
      }
      const group = this.groupManager.getGroup(groupId);
      if (!group || group.is('Dead')) {
        errors.set(
          groupId,
          this.groupManager.groupNotExists(groupId)
            ? ErrorCode.GROUP_ID_NOT_FOUND
            : ErrorCode.NOT_COORDINATOR,
        );
      } else if (group.is('Empty')) {
        group.transitionTo('Dead');
        eligible.push(group);
      } else {
        errors.set(groupId, ErrorCode.NON_EMPTY_GROUP);
      }
    }
    if (eligible.length > 0) {
      const removed = this.groupManager.cleanupGroupMetadata(eligible, (g) => g.offsets.removeAllOffsets());
      for (const g of eligible) errors.set(g.groupId, ErrorCode.NONE);
      this.logger.info(
        `The following groups were deleted: ${eligible.map((g) => g.groupId).join(', ')}. A total of ${removed} offsets were removed.`,
      );
    }
    return errors;
  }

  /**
   * OffsetDelete: an Empty group loses the offsets; a consumer group with members keeps those of
   * topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); other groups with members: NON_EMPTY_GROUP.
   */
  handleDeleteOffsets(groupId: string, tps: readonly TopicPartition[]): DeleteOffsetsResult {
    const error = this.status.validateGroupStatus(groupId, 'OffsetDelete');
    if (error !== null) return { groupError: error, partitionErrors: [] };
    const group = this.groupManager.getGroup(groupId);
    if (!group || group.is('Dead')) {
      return {
        groupError: this.groupManager.groupNotExists(groupId)
          ? ErrorCode.GROUP_ID_NOT_FOUND
          : ErrorCode.NOT_COORDINATOR,
        partitionErrors: [],
      };
    }
    let eligible: readonly TopicPartition[];
    const partitionErrors: { tp: TopicPartition; error: number }[] = [];
    if (group.is('Empty')) {
      eligible = tps;
    } else if (group.isConsumerGroup) {
      eligible = tps.filter((tp) => !group.isSubscribedToTopic(tp.topic));
      for (const tp of tps)
        if (group.isSubscribedToTopic(tp.topic))
          partitionErrors.push({ tp, error: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC });
    } else {
      return { groupError: ErrorCode.NON_EMPTY_GROUP, partitionErrors: [] };
    }
    if (eligible.length > 0) {
      const removed = this.groupManager.cleanupGroupMetadata([group], (g) =>
        g.offsets.removeOffsets(eligible),
      );
      for (const tp of eligible) partitionErrors.push({ tp, error: ErrorCode.NONE });
      this.logger.info(
        `The following offsets of the group ${groupId} were deleted: ${eligible.map(topicPartitionKey).join(', ')}. A total of ${removed} offsets were removed.`,
      );
    }
    return { groupError: ErrorCode.NONE, partitionErrors };
  }

  /** Partitions of deleted topics lose their committed offsets in every group. */
  handleDeletedPartitions(tps: readonly TopicPartition[]): void {
    if (tps.length === 0) return;
    const removed = this.groupManager.cleanupGroupMetadata(this.groupManager.currentGroups, (g) =>
      g.offsets.removeOffsets(tps),
    );
    this.logger.info(
      `Removed ${removed} offsets associated with deleted partitions: ${tps.map(topicPartitionKey).join(', ')}.`,
    );
  }
}

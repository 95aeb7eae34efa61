/**
 * What a produce answers for one partition (Kafka's ProduceResponse.PartitionResponse): the
 * ReplicaManager's append result, which the Produce handler turns into the wire response and the
 * coordinators read after appending to their internal topics.
 */
export interface ProducePartitionResult {
  readonly topic: string;
  readonly partition: number;
  readonly errorCode: number;
  readonly errorMessage?: string;
  readonly baseOffset: number;
  readonly logAppendTimeMs: number;
  readonly logStartOffset: number;
  /** Records that made the leader refuse the batch (Produce v8+ record_errors), when it names them. */
  readonly recordErrors?: readonly RecordError[];
}

/** One record's refusal: its index in its batch and why (Kafka's ProduceResponse.RecordError). */
export interface RecordError {
  readonly batchIndex: number;
  readonly message: string | null;
}

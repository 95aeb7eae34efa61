/**
 * The states of a transactional id (Kafka 2.8's TransactionState), each with the byte
 * __transaction_state stores it as and the states it may be entered from. The table is the state
 * machine: TransactionMetadata refuses any transition it does not list.
 */
export type TransactionState =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort'
  | 'Dead'
  | 'PrepareEpochFence';

interface StateRow {
  readonly byte: number;
  readonly validPreviousStates: readonly TransactionState[];
}

/** Kafka's TransactionState objects: byte and validPreviousStates. */
export const TRANSACTION_STATES: Readonly<Record<TransactionState, StateRow>> = {
  // no transaction in progress: a new id, or a completed transaction
  Empty: { byte: 0, validPreviousStates: ['Empty', 'CompleteCommit', 'CompleteAbort'] },
  // partitions added, until EndTxn (or a timeout, or a fence) ends it
  Ongoing: { byte: 1, validPreviousStates: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'] },
  // EndTxn(commit) logged: markers being written
  PrepareCommit: { byte: 2, validPreviousStates: ['Ongoing'] },
  // EndTxn(abort), a timeout or a fence logged: markers being written
  PrepareAbort: { byte: 3, validPreviousStates: ['Ongoing', 'PrepareEpochFence'] },
  CompleteCommit: { byte: 4, validPreviousStates: ['PrepareCommit'] },
  CompleteAbort: { byte: 5, validPreviousStates: ['PrepareAbort'] },
  // the transactional id expired: its tombstone is being written
  Dead: { byte: 6, validPreviousStates: ['Empty', 'CompleteAbort', 'CompleteCommit'] },
  // a new producer fences an ongoing transaction: never written, only a pending state before PrepareAbort
  PrepareEpochFence: { byte: 7, validPreviousStates: ['Ongoing'] },
};

const BY_BYTE: ReadonlyMap<number, TransactionState> = new Map(
  (Object.keys(TRANSACTION_STATES) as TransactionState[]).map((s) => [TRANSACTION_STATES[s].byte, s]),
);

/** The state stored as `byte` (Kafka's TransactionState.fromByte); an unknown byte is corrupt data. */
export function transactionStateFromByte(byte: number): TransactionState {
  const s = BY_BYTE.get(byte);
  if (s === undefined) throw new Error(`Unknown transaction state byte ${byte} from the transaction status message`);
  return s;
}

/** True when `to` may follow `from`. */
export function isValidTxnTransition(from: TransactionState, to: TransactionState): boolean {
  return TRANSACTION_STATES[to].validPreviousStates.includes(from);
}

/** What EndTxn asks and a marker writes (Kafka's TransactionResult). */
export type TransactionResult = 'COMMIT' | 'ABORT';

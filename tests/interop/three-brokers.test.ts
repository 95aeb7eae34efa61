import { firstWorkingClusterSuite } from './firstWorkingCluster';

/**
 * The "first working cluster" acceptance items on three brokers, topics of replication factor 3:
 * followers replicate, and every replica's log ends up byte-identical to the leader's.
 */
jest.setTimeout(120_000);

firstWorkingClusterSuite({ brokers: 3 });

import { firstWorkingClusterSuite } from './firstWorkingCluster';

/** The "first working cluster" acceptance items on one broker, topics of replication factor 1. */
jest.setTimeout(120_000);

firstWorkingClusterSuite({ brokers: 1 });

/**
 * @samsa/admin-zk — what the admin CLIs and the broker's admin APIs share, below both: Kafka's
 * AdminUtils (replica assignment), AdminZkClient (the ZooKeeper writes that create topics and
 * partitions, change configs and mark topics for deletion) and the admin exceptions they throw.
 */
export * from './errors';
export * from './AdminUtils';
export * from './AdminZkClient';

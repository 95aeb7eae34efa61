/**
 * @samsa/client — the one Kafka wire client: NetworkClient (a pipelined, typed connection to one
 * broker with timeouts and reconnect backoff), ClusterClient (bootstrap, metadata and a
 * NetworkClient per broker), AdminClient (Kafka's Admin routing over it: the controller, a group's
 * coordinator, every broker), sendAndReceive (one request on a connection of its
 * own, for the CLIs), and KafkaChannel (the framed connection underneath, which tests use to write
 * hand-made bytes).
 */
export * from './ClientSecurity';
export * from './ClientUtils';
export * from './AdminClient';
export * from './ClusterClient';
export * from './errors';
export * from './KafkaChannel';
export * from './NetworkClient';
export * from './sendAndReceive';
export * from './SaslClientAuthenticator';

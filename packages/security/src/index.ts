/**
 * @samsa/security — Kafka's security model without I/O (docs/architecture.md, "security"):
 * principals and security protocols (auth/); the broker's network layer, the wire client, the
 * ZooKeeper stores and the CLIs build on it.
 */
export * from './auth/HostAddress';
export * from './auth/KafkaPrincipal';
export * from './auth/SecurityProtocol';
export * from './ssl';
export * from './sasl';
export * from './authorizer';

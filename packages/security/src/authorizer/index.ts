/** Kafka's ACL model and AclAuthorizer (no I/O: ACLs come from an AclStore). */
export * from './aclTypes';
export * from './AclBinding';
export * from './aclJson';
export * from './AclStore';
export * from './AclAuthorizer';

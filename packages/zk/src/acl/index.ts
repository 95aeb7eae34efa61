export * from './AclZNodes';
export * from './ZkAclStore';

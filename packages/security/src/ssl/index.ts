export * from './Der';
export * from './X500Name';
export * from './SslPrincipalMapper';
export * from './SslConfig';
export * from './CipherSuites';
export * from './SslFactory';
export * from './Pkcs12Truststore';

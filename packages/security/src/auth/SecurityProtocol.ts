/** Kafka's SecurityProtocol names, as listener.security.protocol.map and clients write them. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export function isSecurityProtocol(s: string): s is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(s);
}

/** True for the protocols whose connections run TLS. */
export function usesTls(p: SecurityProtocol): boolean {
  return p === 'SSL' || p === 'SASL_SSL';
}

/** True for the protocols whose connections authenticate with SASL before any other request. */
export function usesSasl(p: SecurityProtocol): boolean {
  return p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';
}

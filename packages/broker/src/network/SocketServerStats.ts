/** Plain counters of a SocketServer, read by the metrics registry. Totals since start unless noted. */
export class SocketServerStats {
  /** Open connections now. */
  connectionsActive = 0;
  connectionsAccepted = 0;
  /** Refused at accept (max.connections.per.ip, or while shutting down). */
  connectionsRejected = 0;
  /** Closed because of what the client sent (oversized or malformed frame, unknown api, …). */
  connectionsClosedOnError = 0;
  /**
   * Failed authentications (Kafka's failed-authentication-total): TLS handshakes that failed or
   * timed out, untrusted or unmapped client certificates, and SASL authentications that failed.
   */
  failedAuthentications = 0;
  /** SASL logins that succeeded, the first of each connection (Kafka's successful-authentication-total). */
  successfulAuthentications = 0;
  /** KIP-368 re-authentications that succeeded (Kafka's successful-reauthentication-total). */
  successfulReauthentications = 0;
  /** Closed after connections.max.idle.ms without traffic. */
  connectionsClosedIdle = 0;
  /** Request frames dispatched. */
  requests = 0;
  /** Responses written (acks=0 Produce has none). */
  responses = 0;
  bytesIn = 0;
  bytesOut = 0;
}

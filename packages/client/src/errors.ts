/** The connection failed or closed with the request in flight (or was never there). */
export class DisconnectedError extends Error {
  override readonly name = 'DisconnectedError';
}

/** No response within the request timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** The client was shut down. */
export class NetworkClientClosedError extends Error {
  override readonly name = 'NetworkClientClosedError';
}

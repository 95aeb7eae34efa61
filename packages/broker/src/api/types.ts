import type { RequestHeader, Struct } from '@samsa/protocol';

/** What a handler knows about the request besides its body. */
export interface RequestContext {
  readonly header: RequestHeader;
  /** "ip:port" of the client. */
  readonly clientAddress: string;
  /** Stable id of the connection (for logs and quotas). */
  readonly connectionId: string;
  /** Listener name the request arrived on (PLAINTEXT, INTERNAL, …). */
  readonly listenerName: string;
  /** When the whole frame had arrived (ms since epoch). */
  readonly receivedAtMs: number;
  /**
   * With request metrics: a handler that parks the request (acks=all produce, min.bytes fetch)
   * calls this when its local work is done; the wait after it is the request's RemoteTimeMs.
   */
  readonly onApiLocalComplete?: () => void;
  /**
   * Runs `fn` once the response's last byte is with the kernel (or at once when the request gets
   * no response): a handler returns buffers it lent to the response this way. Never called when
   * the connection closes first. Absent where nothing sends the response (tests).
   */
  readonly onResponseSent?: (fn: () => void) => void;
}

/**
 * A handler answers one API. It returns the response body, or `null` for "no response at all"
 * (Produce with acks=0). A thrown KafkaError becomes that API's error response with the error's code;
 * any other exception becomes UNKNOWN_SERVER_ERROR and is logged. Handlers may be async (DelayedProduce,
 * DelayedFetch); responses still go back in request order on each connection.
 */
export type ApiHandler = (ctx: RequestContext, body: Struct) => Struct | null | Promise<Struct | null>;

export interface ApiHandlerEntry {
  readonly apiKey: number;
  /** Highest version served; every range starts at 0 (protocol-matrix.md §5.2). */
  readonly maxVersion: number;
  readonly handle: ApiHandler;
}

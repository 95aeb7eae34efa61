import type { ApiKeyValue, RequestHeader, RequestOf, ResponseInputOf } from '@samsa/protocol';
import type { KafkaPrincipal, SecurityProtocol } from '@samsa/security';

/** What a handler knows about the request besides its body. */
export interface RequestContext {
  readonly header: RequestHeader;
  /** "ip:port" of the client. */
  readonly clientAddress: string;
  /** Stable id of the connection (for logs and quotas). */
  readonly connectionId: string;
  /** Listener name the request arrived on (PLAINTEXT, INTERNAL, …). */
  readonly listenerName: string;
  /** The security protocol of that listener. */
  readonly securityProtocol: SecurityProtocol;
  /**
   * Who sent the request (Kafka's RequestContext.principal): User:ANONYMOUS on PLAINTEXT, the
   * mapped certificate name on SSL with a client certificate, the authenticated user on SASL.
   */
  readonly principal: KafkaPrincipal;
  /** The client's IP address alone (ACLs match hosts against it). */
  readonly clientHost: string;
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
  /** Size of the request frame in bytes (what producer_byte_rate counts). */
  readonly requestBytes?: number;
  /**
   * KIP-219: the client went over a quota; its connection takes no further request for `ms` from
   * now (the response itself goes out at once, carrying throttle_time_ms). Absent in tests.
   */
  readonly throttle?: (ms: number) => void;
  /**
   * A consumer fetch whose client still owes this much throttle time (consumer_byte_rate): the
   * Fetch handler answers it empty with this throttle_time_ms, after its fetch session context
   * is made (Kafka's getThrottledResponse), so the session's epoch moves as the client expects.
   */
  readonly fetchThrottleOwedMs?: number;
}

/**
 * A handler answers one API. It returns the response body, or `null` for "no response at all"
 * (Produce with acks=0). A thrown KafkaError becomes that API's error response with the error's code;
 * any other exception becomes UNKNOWN_SERVER_ERROR and is logged. Handlers may be async (DelayedProduce,
 * DelayedFetch); responses still go back in request order on each connection.
 *
 * Typed by the api's schema: `body` is the generated decoded request (`ProduceRequest`), the result
 * the generated response input (`ProduceResponseInput`), so a misspelled field or a wrong-shaped
 * answer is a compile error.
 */
export type ApiHandler<K extends ApiKeyValue> = (
  ctx: RequestContext,
  body: RequestOf<K>,
) => ResponseInputOf<K> | null | Promise<ResponseInputOf<K> | null>;

/** One API served: its key, its highest version and its handler, typed by that key's schema. */
export interface ApiHandlerEntry<K extends ApiKeyValue> {
  readonly apiKey: K;
  /** Highest version served; every range starts at 0 (protocol-matrix.md §5.2). */
  readonly maxVersion: number;
  readonly handle: ApiHandler<K>;
}

/** The entry of some API: one `ApiHandlerEntry<K>` per key, as a union (what the registry accepts). */
export type AnyApiHandlerEntry = { [K in ApiKeyValue]: ApiHandlerEntry<K> }[ApiKeyValue];

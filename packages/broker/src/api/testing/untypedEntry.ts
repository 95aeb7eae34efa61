import type { Struct } from '@samsa/protocol';
import { dispatchable, type DispatchableEntry } from '../registry';
import type { AnyApiHandlerEntry, RequestContext } from '../types';

/** A handler over generic bodies, as the network tests write their fakes (any api key, any shape). */
export type UntypedApiHandler = DispatchableEntry['handle'];

/**
 * A registrable entry from a fake written against generic `Struct` bodies: network tests fake APIs
 * (and unknown api keys) without their schemas' types. Tests only: real handlers are typed.
 */
export function untypedEntry(entry: DispatchableEntry): AnyApiHandlerEntry {
  return entry as unknown as AnyApiHandlerEntry;
}

/** Calls a handler with a generic body and returns its answer; no answer (null) fails the test. */
export async function answerOf(
  entry: AnyApiHandlerEntry,
  ctx: RequestContext,
  body: Struct,
): Promise<Struct> {
  const answer = await dispatchable(entry).handle(ctx, body);
  if (answer === null) throw new Error(`api key ${entry.apiKey} sent no response`);
  return answer;
}

/** `answerOf` for a handler that answers at once (ApiVersions). */
export function answerNow(entry: AnyApiHandlerEntry, ctx: RequestContext, body: Struct): Struct {
  const answer = dispatchable(entry).handle(ctx, body);
  if (answer === null || answer instanceof Promise)
    throw new Error(`api key ${entry.apiKey} did not answer at once`);
  return answer;
}

import type { DispatchableEntry } from '../registry';
import type { AnyApiHandlerEntry } from '../types';

/** A handler over generic bodies, as the network tests write their fakes (any api key, any shape). */
export type UntypedApiHandler = DispatchableEntry['handle'];

/**
 * A registrable entry from a fake written against generic `Struct` bodies: network tests fake APIs
 * (and unknown api keys) without their schemas' types. Tests only: real handlers are typed.
 */
export function untypedEntry(entry: DispatchableEntry): AnyApiHandlerEntry {
  return entry as unknown as AnyApiHandlerEntry;
}

import { ApiKey, ErrorCode } from '@samsa/protocol';
import { ApiRegistry, dispatchable } from './registry';
import { ctx } from './testing/fakeDeps';
import type { AnyApiHandlerEntry, ApiHandlerEntry } from './types';

/**
 * Handlers are typed by their api's schema: the compiler checks what a handler reads from the
 * request and what it answers. Each `@ts-expect-error` below fails `tsc -p tsconfig.test.json` the day
 * the line compiles, so this file is the proof that the typing holds.
 */

const heartbeat: ApiHandlerEntry<typeof ApiKey.Heartbeat> = {
  apiKey: ApiKey.Heartbeat,
  maxVersion: 3,
  handle(_ctx, body) {
    // the body is the generated HeartbeatRequest: fields are known with their types
    const generation: number = body.generationId;
    return { throttleTimeMs: 0, errorCode: generation >= 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION };
  },
};

describe('typed handlers', () => {
  test('aMisspelledRequestFieldDoesNotCompile', () => {
    const entry: ApiHandlerEntry<typeof ApiKey.Heartbeat> = {
      apiKey: ApiKey.Heartbeat,
      maxVersion: 3,
      handle(_ctx, body) {
        // @ts-expect-error HeartbeatRequest has memberId, not memberID
        const member: string = body.memberID;
        return { errorCode: member === undefined ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID };
      },
    };
    expect(entry.apiKey).toBe(ApiKey.Heartbeat);
  });

  test('aWrongShapedResponseDoesNotCompile', () => {
    const missingField: ApiHandlerEntry<typeof ApiKey.Heartbeat> = {
      apiKey: ApiKey.Heartbeat,
      maxVersion: 3,
      // @ts-expect-error HeartbeatResponse requires errorCode
      handle: () => ({ throttleTimeMs: 0 }),
    };
    const wrongType: ApiHandlerEntry<typeof ApiKey.Heartbeat> = {
      apiKey: ApiKey.Heartbeat,
      maxVersion: 3,
      // @ts-expect-error errorCode is an int16, not a string
      handle: () => ({ errorCode: 'NONE' }),
    };
    const otherApisResponse: ApiHandlerEntry<typeof ApiKey.DeleteGroups> = {
      apiKey: ApiKey.DeleteGroups,
      maxVersion: 1,
      // @ts-expect-error a DeleteGroups handler answers results, not a Heartbeat body
      handle: () => ({ errorCode: ErrorCode.NONE }),
    };
    expect([missingField, wrongType, otherApisResponse].map((e) => e.apiKey)).toEqual([
      ApiKey.Heartbeat,
      ApiKey.Heartbeat,
      ApiKey.DeleteGroups,
    ]);
  });

  test('anEntryMustAnswerTheApiItIsRegisteredFor', () => {
    const mislabelled: ApiHandlerEntry<typeof ApiKey.Metadata> = {
      // @ts-expect-error a Metadata entry cannot carry another api key
      apiKey: ApiKey.Heartbeat,
      maxVersion: 0,
      handle: () => null,
    };
    expect(mislabelled.maxVersion).toBe(0);
  });

  test('theRegistryTakesEveryTypedEntryAndTheDispatcherSeesTheSameHandler', async () => {
    const registry = new ApiRegistry();
    const entries: AnyApiHandlerEntry[] = [heartbeat];
    for (const e of entries) registry.register(e);
    expect(registry.get(ApiKey.Heartbeat)).toBe(dispatchable(heartbeat));
    const r = await registry
      .get(ApiKey.Heartbeat)!
      .handle(ctx(ApiKey.Heartbeat, 3), {
        groupId: 'g',
        generationId: -1,
        memberId: 'm',
        groupInstanceId: null,
      });
    expect(r).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.ILLEGAL_GENERATION });
  });
});

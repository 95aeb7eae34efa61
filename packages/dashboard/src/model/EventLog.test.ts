import { EventLog, type RawBrokerEvent } from './EventLog';

const T0 = 1_700_000_000_000;

function ev(
  brokerId: number,
  seq: number,
  timeMs: number,
  type = 'LeaderElected',
  extra: Partial<RawBrokerEvent> = {},
) {
  return { seq, timeMs, brokerId, type, detail: `${type} ${seq}`, ...extra };
}

describe('EventLog', () => {
  test('mergesBrokersNewestFirstAndAdvancesEachCursor', () => {
    const log = new EventLog();
    expect(log.since(1, T0)).toBe(0);
    log.add(1, T0, 0, {
      brokerId: 1,
      nextSeq: 2,
      events: [ev(1, 0, T0 + 10), ev(1, 1, T0 + 30, 'BrokerLost')],
    });
    log.add(2, T0, 0, {
      brokerId: 2,
      nextSeq: 1,
      events: [ev(2, 0, T0 + 20, 'IsrShrunk', { topic: 't', partition: 3 })],
    });
    expect(log.newest().map((e) => [e.brokerId, e.seq, e.type])).toEqual([
      [1, 1, 'BrokerLost'],
      [2, 0, 'IsrShrunk'],
      [1, 0, 'LeaderElected'],
    ]);
    expect(log.since(1, T0)).toBe(2);
    expect(log.since(2, T0)).toBe(1);
    const shrink = log.newest()[1];
    expect(shrink).toMatchObject({
      topic: 't',
      partition: 3,
      reason: null,
      controllerEpoch: null,
      detail: 'IsrShrunk 0',
    });
  });

  test('dropsDuplicatesOfTheSameBrokerAndSeq', () => {
    const log = new EventLog();
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 2, events: [ev(1, 0, T0), ev(1, 1, T0 + 1)] });
    // An overlapping page (e.g. a retried request) adds only what is new.
    log.add(1, T0, 1, { brokerId: 1, nextSeq: 3, events: [ev(1, 1, T0 + 1), ev(1, 2, T0 + 2)] });
    expect(log.size).toBe(3);
    expect(log.newest().map((e) => e.seq)).toEqual([2, 1, 0]);
  });

  test('sameSeqFromDifferentBrokersAreDifferentEvents', () => {
    const log = new EventLog();
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 1, events: [ev(1, 0, T0)] });
    log.add(2, T0, 0, { brokerId: 2, nextSeq: 1, events: [ev(2, 0, T0)] });
    expect(log.size).toBe(2);
  });

  test('aRestartedBrokerIsReadFromZeroAndKeptApartFromItsEarlierProcess', () => {
    const log = new EventLog();
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 5, events: [0, 1, 2, 3, 4].map((s) => ev(1, s, T0 + s)) });
    const restartedAt = T0 + 60_000;
    expect(log.since(1, restartedAt)).toBe(0);
    log.add(1, restartedAt, 0, {
      brokerId: 1,
      nextSeq: 2,
      events: [ev(1, 0, restartedAt + 1, 'ControllerElected'), ev(1, 1, restartedAt + 2)],
    });
    expect(log.size).toBe(7);
    expect(log.newest(2).map((e) => [e.seq, e.type])).toEqual([
      [1, 'LeaderElected'],
      [0, 'ControllerElected'],
    ]);
    expect(log.since(1, restartedAt)).toBe(2);
  });

  test('aPageBehindTheCursorResetsItWithoutAddingAnything', () => {
    const log = new EventLog();
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 10, events: [ev(1, 9, T0)] });
    // The status said the old process, but the events came from a new one (nextSeq went back).
    log.add(1, T0, 10, {
      brokerId: 1,
      nextSeq: 3,
      events: [ev(1, 0, T0 + 5), ev(1, 1, T0 + 6), ev(1, 2, T0 + 7)],
    });
    expect(log.size).toBe(1);
    expect(log.since(1, T0)).toBe(0);
  });

  test('keepsOnlyTheNewestUpToItsCapacity', () => {
    const log = new EventLog(3);
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 5, events: [0, 1, 2, 3, 4].map((s) => ev(1, s, T0 + s)) });
    expect(log.newest().map((e) => e.seq)).toEqual([4, 3, 2]);
    expect(log.newest(1).map((e) => e.seq)).toEqual([4]);
  });

  test('keepsTheEventsOtherFieldsAsText', () => {
    const log = new EventLog();
    const elected = ev(1, 0, T0, 'LeaderElected', { topic: 't', partition: 0, reason: 'offline' });
    const raw = { ...elected, leader: 2, leaderEpoch: 5, isr: [2, 3], nested: { no: 1 } } as RawBrokerEvent;
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 1, events: [raw] });
    expect(log.newest()[0].fields).toEqual([
      ['leader', '2'],
      ['leaderEpoch', '5'],
      ['isr', '[2,3]'],
    ]);
    expect(log.newest()[0].reason).toBe('offline');
  });

  test('ignoresMalformedEntries', () => {
    const log = new EventLog();
    const bad = [
      { seq: 'x', timeMs: T0, type: 'A' },
      { seq: 1, type: 'B' },
      null,
    ] as unknown as RawBrokerEvent[];
    log.add(1, T0, 0, { brokerId: 1, nextSeq: 3, events: [...bad, ev(1, 2, T0)] });
    expect(log.newest().map((e) => e.seq)).toEqual([2]);
  });
});

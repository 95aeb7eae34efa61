import { EventJournal } from './EventJournal';
import { FakeClock } from './testing/FakeClock';

describe('EventJournal', () => {
  test('numbers events from 1, stamps time and broker, pages with nextSeq', () => {
    const clock = new FakeClock(1000);
    const j = new EventJournal(3, 10, clock.now);
    j.record({ type: 'ControllerElected', controllerEpoch: 4, detail: 'broker 3 elected' });
    clock.advance(5);
    j.record({ type: 'TopicCreated', topic: 't', detail: 'topic t' });
    const all = j.read(0);
    expect(all.brokerId).toBe(3);
    expect(all.nextSeq).toBe(3);
    expect(all.events).toEqual([
      { seq: 1, timeMs: 1000, brokerId: 3, type: 'ControllerElected', controllerEpoch: 4, detail: 'broker 3 elected' },
      { seq: 2, timeMs: 1005, brokerId: 3, type: 'TopicCreated', topic: 't', detail: 'topic t' },
    ]);
    expect(j.read(2).events.map((e) => e.seq)).toEqual([2]);
    expect(j.read(3)).toEqual({ brokerId: 3, nextSeq: 3, events: [] });
    expect(j.read(1, 1)).toMatchObject({ nextSeq: 2, events: [{ seq: 1 }] });
  });

  test('a bounded ring: the oldest events fall out', () => {
    const j = new EventJournal(1, 4);
    for (let i = 0; i < 10; i++) j.record({ type: 'IsrShrunk', partition: i, detail: `p${i}` });
    expect(j.oldestSeq).toBe(7);
    const page = j.read(0);
    expect(page.events.map((e) => e.seq)).toEqual([7, 8, 9, 10]);
    expect(page.events.map((e) => e.partition)).toEqual([6, 7, 8, 9]);
    expect(page.nextSeq).toBe(11);
  });

  test('a since beyond the next number (an earlier incarnation) reads from the oldest', () => {
    const j = new EventJournal(1, 4);
    j.record({ type: 'BrokerJoined', subjectBrokerId: 2, detail: 'x' });
    expect(j.read(500).events.map((e) => e.seq)).toEqual([1]);
    expect(() => new EventJournal(1, 0)).toThrow();
  });
});

import { durationTimestampMs, parseDateTime, parseDurationNanos } from './resetTimes';

/** --to-datetime as Kafka's Utils.getDateTime reads it, --by-duration as java.time.Duration.parse. */
describe('parseDateTime', () => {
  test.each([
    ['2024-01-02T03:04:05.678', Date.UTC(2024, 0, 2, 3, 4, 5, 678)],
    ['2024-01-02T03:04:05.678Z', Date.UTC(2024, 0, 2, 3, 4, 5, 678)],
    ['2024-01-02T03:04:05.678+02:30', Date.UTC(2024, 0, 2, 0, 34, 5, 678)],
    ['2024-01-02T03:04:05.678-05', Date.UTC(2024, 0, 2, 8, 4, 5, 678)],
    ['2024-02-29T23:59:59.999', Date.UTC(2024, 1, 29, 23, 59, 59, 999)],
    ['2024-1-2T3:4:5.6', Date.UTC(2024, 0, 2, 3, 4, 5, 6)],
  ])('%s', (input, expected) => {
    expect(parseDateTime(input)).toBe(expected);
  });

  test.each([
    ['2024-01-02', "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format"],
    ['2024-01-02T', "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format"],
    ['2024-01-02T03:04:05', 'Unparseable date: "2024-01-02T03:04:05Z"'],
    ['2023-02-29T00:00:00.000', 'Unparseable date: "2023-02-29T00:00:00.000Z"'],
    ['2024-01-02T24:00:00.000', 'Unparseable date: "2024-01-02T24:00:00.000Z"'],
    ['2024-01-02T03:04:05.1234', 'Unparseable date: "2024-01-02T03:04:05.1234Z"'],
    ['2024-01-02T03:04:05.678+0100', 'Unparseable date: "2024-01-02T03:04:05.678+0100"'],
  ])('%s is refused', (input, message) => {
    expect(() => parseDateTime(input)).toThrow(message);
  });
});

describe('parseDurationNanos', () => {
  const S = 1_000_000_000n;
  test.each([
    ['PT1H', 3600n * S],
    ['pt15m', 900n * S],
    ['P2D', 172_800n * S],
    ['P1DT2H3M4.5S', (86_400n + 7_200n + 180n + 4n) * S + 500_000_000n],
    ['-PT1H', -3600n * S],
    ['PT-1.5S', -1_500_000_000n],
    ['PT1,25S', 1_250_000_000n],
    ['P-1DT1H', -82_800n * S],
  ])('%s', (input, nanos) => {
    expect(parseDurationNanos(input)).toBe(nanos);
  });

  test.each(['', 'P', 'PT', '1H', 'PT1', 'P1H', 'PT1H2D', 'PT1.1234567891S'])('%j is refused', (input) => {
    expect(() => parseDurationNanos(input)).toThrow('Text cannot be parsed to a Duration');
  });

  test('durationTimestampCountsBackAndFloors', () => {
    expect(durationTimestampMs('PT1M', 1_000_000)).toBe(940_000);
    expect(durationTimestampMs('PT0.0005S', 1_000)).toBe(999);
    expect(durationTimestampMs('-PT1S', 0)).toBe(1_000);
  });
});

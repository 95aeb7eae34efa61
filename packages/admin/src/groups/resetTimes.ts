/**
 * The two time arguments of --reset-offsets, read as Kafka 2.8 reads them:
 * --to-datetime by Utils.getDateTime (`yyyy-MM-dd'T'HH:mm:ss.SSS` with an optional zone, UTC when
 * none is given, fields checked strictly), --by-duration by java.time.Duration.parse (ISO-8601
 * `PnDTnHnMn.nS`). Their failures are not usage errors in Kafka: the tool reports them as a failed
 * command, with these messages.
 */

export class TimeArgumentError extends Error {
  override readonly name = 'TimeArgumentError';
}

const DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,3})(Z|[+-]\d{2}(?::\d{2})?)$/;

/** Epoch milliseconds of a --to-datetime value. */
export function parseDateTime(input: string): number {
  const parts = input.split('T');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // Java's String.split
  if (parts.length < 2)
    throw new TimeArgumentError(
      "Error parsing timestamp. It does not contain a 'T' according to ISO8601 format",
    );
  const timePart = parts[1];
  const timestamp = /[+\-Z]/.test(timePart) ? input : `${input}Z`;
  const m = DATETIME.exec(timestamp);
  const unparseable = new TimeArgumentError(`Unparseable date: "${timestamp}"`);
  if (m === null) throw unparseable;
  const [year, month, day, hour, minute, second, millis] = m.slice(1, 8).map(Number);
  const zone = m[8];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59)
    throw unparseable;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = zone.length > 3 ? Number(zone.slice(4, 6)) : 0;
    if (zoneHours > 23 || zoneMinutes > 59) throw unparseable;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC maps years 0-99 to 1900-1999; Java's calendar does not.
  const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc;
  return fixed - offsetMinutes * 60_000;
}

const DURATION =
  /^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$/i;
const NANOS_PER_SECOND = 1_000_000_000n;
const LONG_MAX = 2n ** 63n - 1n;

/** A --by-duration value in nanoseconds (signed), as java.time.Duration holds it. */
export function parseDurationNanos(input: string): bigint {
  const m = DURATION.exec(input);
  const failure = new TimeArgumentError('Text cannot be parsed to a Duration');
  if (m === null) throw failure;
  const [, sign, days, time, hours, minutes, seconds, fraction] = m;
  if (time !== undefined && time.toUpperCase() === 'T') throw failure;
  if (days === undefined && hours === undefined && minutes === undefined && seconds === undefined)
    throw failure;
  const num = (s: string | undefined): bigint => (s === undefined ? 0n : BigInt(s));
  const totalSeconds = num(days) * 86_400n + num(hours) * 3_600n + num(minutes) * 60n + num(seconds);
  let nanos = fraction === undefined || fraction === '' ? 0n : BigInt(fraction.padEnd(9, '0'));
  if (seconds !== undefined && seconds.startsWith('-')) nanos = -nanos;
  if (totalSeconds > LONG_MAX || totalSeconds < -LONG_MAX - 1n) throw failure;
  let total = totalSeconds * NANOS_PER_SECOND + nanos;
  if (sign === '-') total = -total;
  return total;
}

/** Kafka's timestamp for --by-duration: now minus the duration, in epoch milliseconds (floored). */
export function durationTimestampMs(input: string, nowMs: number): number {
  const nanos = BigInt(nowMs) * 1_000_000n - parseDurationNanos(input);
  const ms = nanos / 1_000_000n - (nanos % 1_000_000n < 0n ? 1n : 0n);
  return Number(ms);
}

/**
 * RFC 3339 timestamps, parsed strictly: the one parser the schema, the
 * policy rules and effective scopes all use. A value that cannot be compared
 * with a clock is refused with a reason, never read as "not expired":
 * `Date.parse` answers NaN for a leap second and every comparison with NaN is
 * false, so a grant "expiring" at 23:59:60 used to run forever.
 *
 * Hand-written on purpose (about 30 lines): ajv-formats' `date-time` accepts
 * second 60 and `Date.parse` accepts many non-RFC 3339 shapes (no offset,
 * `2027-02-30` rolled into March on some engines); no small library on npm
 * gives "RFC 3339 minus what cannot be compared" with a reason to show.
 */

/** Why a value is not a comparable RFC 3339 timestamp. */
export class TimestampError extends Error {}

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const TIMESTAMP_EXAMPLE = '2027-01-31T00:00:00Z';

/** The instant (milliseconds since the epoch) of an RFC 3339 timestamp; throws TimestampError with the reason. */
export function parseTimestamp(value: string): number {
  const reason = timestampProblem(value);
  if (reason !== null) throw new TimestampError(`${reason}, got '${value}'`);
  return instantOf(SHAPE.exec(value)!);
}

/** The instant as a Date; throws TimestampError. */
export function parseTimestampDate(value: string): Date {
  return new Date(parseTimestamp(value));
}

/** What is wrong with `value` as a comparable RFC 3339 timestamp, or null when it is one. */
export function timestampProblem(value: string): string | null {
  const m = SHAPE.exec(value);
  if (!m) return `must be an RFC 3339 date-time with a time zone offset, such as ${TIMESTAMP_EXAMPLE}`;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  if (day < 1 || day > daysIn(year, month)) return `day ${m[3]} does not exist in ${m[1]}-${m[2]}`;
  if (hour > 23 || minute > 59) return `time ${m[4]}:${m[5]} does not exist`;
  if (second === 60) return 'second 60 (a leap second) cannot be compared with a clock: use :59';
  if (second > 59) return `second ${m[6]} does not exist`;
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return `offset ${m[9]}${m[10]}:${m[11]} does not exist`;
  return null;
}

/** Whether `value` is a comparable RFC 3339 timestamp. */
export function isTimestamp(value: string): boolean {
  return timestampProblem(value) === null;
}

/** RFC 3339 text of an instant, whole seconds without `.000` (stable text in plans and reviews). */
export function formatTimestamp(at: Date | number): string {
  return new Date(at).toISOString().replace(/\.000Z$/, 'Z');
}

function instantOf(m: RegExpExecArray): number {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  return utc(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function daysIn(year: number, month: number): number {
  return new Date(utc(year, month, 0)).getUTCDate();
}

/** Date.UTC without its quirk of reading years 0-99 as 1900-1999. */
function utc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const at = new Date(0);
  at.setUTCFullYear(year, monthIndex, day);
  at.setUTCHours(hour, minute, second, millis);
  return at.getTime();
}

/**
 * A Date or a string as an expiry's RFC 3339 text: Dates without `.000` (stable
 * text in plans), strings as given (the schema judges them), an invalid Date as
 * 'Invalid Date' so that validation names it; undefined is no expiry (null).
 */
export function toRfc3339(expiresAt: Date | string | undefined): string | null {
  if (expiresAt === undefined) return null;
  if (typeof expiresAt === 'string') return expiresAt;
  return Number.isNaN(expiresAt.getTime()) ? 'Invalid Date' : formatTimestamp(expiresAt);
}

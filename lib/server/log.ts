/**
 * The server's log: one JSON object per line (pino), with an ISO time, a level
 * name and a message, plus the fields of what it is about (`reqId` for a
 * request). The server never hands a request's headers or body to the log;
 * the redaction below is the second line of defence, for any object a later
 * change might log: every field that can hold a credential is censored
 * wherever it sits in the object.
 */
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';
import { LogLevel } from './defaults';

export type Logger = Pick<PinoLogger, 'info' | 'warn' | 'error' | 'debug' | 'isLevelEnabled'>;


/** Field names that can hold a credential (client secrets, admin and registration access tokens, client assertions, Authorization headers). */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'adminToken',
  'accessToken',
  'access_token',
  'registrationAccessToken',
  'registration_access_token',
  'initialAccessToken',
  'client_assertion',
  'clientAssertion',
  'privateJwk',
];

/** Censored at the top level and one or two objects deep (pino's redaction takes explicit paths; `*` is one level). */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap(field => [field, `*.${field}`, `*.*.${field}`]);

/** The server's logger, writing to `destination` (default: stderr, synchronously, so that nothing is lost at exit). */
export function createLog(level: LogLevel = 'info', destination: DestinationStream = pino.destination({ fd: 2, sync: true })): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: label => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** Where a logger appends to a file (the main job's server.log), synchronously. */
export function logFileDestination(path: string): DestinationStream {
  return pino.destination({ dest: path, sync: true, append: true, mkdir: true });
}

/** A logger that writes nothing, for tests of parts that take one. */
export const SILENT_LOG: Logger = pino({ level: 'silent' });

/**
 * Reads a server's stderr as its JSON log (lib/server/log.ts): one object per
 * line. Throws on a line that is not one, so that a test reading the log also
 * checks its format.
 */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  time: string;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

export function logLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter(line => line !== '')
    .map(line => {
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (typeof parsed !== 'object' || parsed === null || typeof parsed.msg !== 'string') throw new Error('no msg');
        return parsed;
      } catch (error) {
        throw new Error(`not a JSON log line (${(error as Error).message}): ${line.slice(0, 500)}`);
      }
    });
}

/** The lines at level error or above: internal failures. */
export const errorLines = (stderr: string) => logLines(stderr).filter(line => line.level === 'error' || line.level === 'fatal');

/**
 * Errors the CLI knows how to report, each with its own exit code so that
 * scripts can tell a typo from a server that is down from a bug.
 */
export const EXIT = { ok: 0, internal: 1, usage: 2, external: 3, mismatch: 4 } as const;

/** The command line or a file it names is wrong: the user can fix it. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

/** Something outside the process failed: the server, terraform, the file system. */
export class ExternalError extends Error {
  readonly exitCode = EXIT.external;
}

export function exitCodeOf(error: unknown): number {
  const code = (error as { exitCode?: number })?.exitCode;
  return typeof code === 'number' ? code : EXIT.internal;
}

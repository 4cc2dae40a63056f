/**
 * The token endpoint's inputs version (TokenInputsVersion in store.ts) in one
 * statement both stores run as is: the object revision, the policy version
 * and the count of client secret changes (kept by triggers, migrations 4 and 3).
 */
export const TOKEN_INPUTS_VERSION =
  "SELECT (SELECT value FROM meta WHERE name = 'revision') AS revision, (SELECT version FROM policy WHERE id = 1) AS policy, " +
  "(SELECT value FROM meta WHERE name = 'secrets') AS secrets";

/** A type, not an interface: it must fit the PostgreSQL store's row type (a record). */
export type TokenInputsRow = {
  revision: string;
  policy: number | null;
  secrets: string;
};

/** The row of TOKEN_INPUTS_VERSION as the version. */
export function tokenInputsVersionOf(row: TokenInputsRow): string {
  return `${row.revision}.${row.policy}.${row.secrets}`;
}

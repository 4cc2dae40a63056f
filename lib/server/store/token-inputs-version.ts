/**
 * The token endpoint's inputs version (TokenInputsVersion in store.ts) in one
 * statement both stores run as is: the object revision, the policy version
 * and the count of client secret changes (kept by triggers, migrations 4 and 3).
 */
export const TOKEN_INPUTS_VERSION =
  "SELECT (SELECT value FROM meta WHERE name = 'revision') AS revision, (SELECT version FROM policy WHERE id = 1) AS policy, " +
  "(SELECT value FROM meta WHERE name = 'secrets') AS secrets";

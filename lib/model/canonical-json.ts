/**
 * JSON with object keys sorted, so that two equal objects serialize to the
 * same text whatever order their fields arrived in: what makes "same body
 * twice" detectable for idempotent PUTs. A client's JWKS travels in
 * Terraform as this text too: Terraform's `jsonencode` writes the same form,
 * so a configuration, the server and an import agree on it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map(k => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

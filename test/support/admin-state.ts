/**
 * Everything the admin API can change, read with the server's bootstrap admin
 * token: what a refused write must leave exactly as it was (compare two reads
 * with toEqual). The client secrets are not readable; a test about one checks
 * that it still authenticates.
 */
export async function adminState(server: { url: string; adminToken: string }): Promise<Record<string, unknown>> {
  const get = async (path: string) => {
    const res = await fetch(`${server.url}/admin/v1/${path}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    return { etag: res.headers.get('etag'), body: (await res.json()) as unknown };
  };
  const audit: unknown[] = [];
  for (let after: string | null = ''; after !== null; ) {
    const page = (await get(`audit?limit=1000${after ? `&after=${after}` : ''}`)).body as { items: unknown[]; next: string | null };
    audit.push(...page.items);
    after = page.next;
  }
  return {
    snapshot: await get('snapshot'),
    audit,
    policy: await get('policy'),
    adminTokens: await get('admin-tokens'),
    signingKeys: await get('signing-keys'),
  };
}

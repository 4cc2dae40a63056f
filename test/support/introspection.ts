/** RFC 7662 introspection of an access token at the embedded server, authenticated with its admin token. */
export async function introspect(server: { url: string; adminToken: string }, accessToken: string): Promise<{ active: boolean; scope?: string }> {
  const res = await fetch(`${server.url}/token/introspection`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: accessToken }),
  });
  return (await res.json()) as { active: boolean; scope?: string };
}

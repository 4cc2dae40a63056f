/**
 * The server's refusal counters (GET /admin/v1/refusals) once a test's refused requests show in them: the server
 * counts in memory and writes the counts to the store about once a second, so a test waits for the rows it made.
 */
import { AdminClient } from '../../lib/client/admin-client';
import { RefusalCount } from '../../lib/model/admin-api';

/** The counters once `wanted` holds of them, or as they are after 15 s, for the test's own expectations to judge. */
export async function refusalsWhen(admin: AdminClient, wanted: (items: RefusalCount[]) => boolean): Promise<RefusalCount[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { items } = await admin.refusals({ limit: 1000 });
    if (wanted(items) || Date.now() > deadline) return items;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/** The sum of the counts of the rows that match every field of `match`. */
export function countOf(items: RefusalCount[], match: Partial<RefusalCount>): number {
  return items.filter(r => Object.entries(match).every(([k, v]) => r[k as keyof RefusalCount] === v)).reduce((sum, r) => sum + r.count, 0);
}

/** The whole audit log of a server, oldest first, following its pages. */
import { AdminClient } from '../../lib/client/admin-client';
import { AuditEntry } from '../../lib/model/admin-api';

export async function allAuditEntries(admin: AdminClient): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let after: string | undefined;
  do {
    const page = await admin.audit({ limit: 1000, ...(after ? { after } : {}) });
    entries.push(...page.items);
    after = page.next ?? undefined;
  } while (after);
  return entries;
}

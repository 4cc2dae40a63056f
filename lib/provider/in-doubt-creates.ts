/**
 * Creates whose outcome is unknown: the request failed without an answer (the
 * server went away mid-request), so the object may exist with this
 * resource's new manager id while the state records nothing. Kept in the
 * Terraform data directory, so that the next apply in this working directory
 * creates with the SAME id and the server sees the retry of a create it has
 * already done (idempotent) instead of a second resource taking the object
 * over (refused). Elsewhere (another checkout) such an object is refused with
 * an import hint: safe, never a takeover.
 *
 * Written only on that failure path and read only by creates; one small JSON
 * file, replaced atomically.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind } from '../model/types';

type Entries = Record<string, string>;

export class InDoubtCreates {
  private readonly file: string;

  /** `dataDir`: Terraform's data directory (TF_DATA_DIR, else `.terraform` in the working directory). */
  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, 'procurement-in-doubt-creates.json');
  }

  /** The manager id of an earlier create of `kind/key` that may have landed, if any. */
  managerOf(kind: Kind, key: string): string | null {
    return this.read()[entryKey(kind, key)] ?? null;
  }

  remember(kind: Kind, key: string, managerId: string): void {
    this.write({ ...this.read(), [entryKey(kind, key)]: managerId });
  }

  /** The create is settled (answered, or the object is in the state): forget it. */
  settle(kind: Kind, key: string): void {
    const entries = this.read();
    if (!(entryKey(kind, key) in entries)) return;
    delete entries[entryKey(kind, key)];
    this.write(entries);
  }

  private read(): Entries {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Entries;
    } catch {
      return {}; // absent (the usual case) or unreadable: no create is in doubt
    }
  }

  private write(entries: Entries): void {
    mkdirSync(this.dataDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entries), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

function entryKey(kind: Kind, key: string): string {
  return `${kind}/${key}`;
}

/**
 * Creates whose outcome the state may not know: the object may exist with
 * this resource's new manager id while the state records nothing, because the
 * request failed without an answer (the server went away mid-request) or
 * because Terraform was killed after the answer and before it persisted the
 * state (it saves a running apply's state only now and then). Each create is
 * written here BEFORE its request and stays until a later refresh reads an
 * instance whose state holds that id; so the next apply in this working
 * directory creates with the SAME id and the server sees the retry of a
 * create it has already done (idempotent) instead of a second resource taking
 * the object over (refused). Elsewhere (another checkout) such an object is
 * refused with an import hint: safe, never a takeover.
 *
 * Kept in the Terraform data directory; one small JSON file, replaced
 * atomically.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind } from '../model/types';

type Entries = Record<string, string>;

export class InDoubtCreates {
  private readonly file: string;
  /** The file's entries, read once per provider process: every refresh consults them for every instance. */
  private cached: Entries | null = null;
  private settlesPending = false;

  /** `dataDir`: Terraform's data directory (TF_DATA_DIR, else `.terraform` in the working directory). */
  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, 'procurement-in-doubt-creates.json');
  }

  /** The manager id of an earlier create of `kind/key` that may have landed, if any. */
  managerOf(kind: Kind, key: string): string | null {
    return this.entries()[entryKey(kind, key)] ?? null;
  }

  /** Written to disk before it returns: the create's request goes out only after. */
  remember(kind: Kind, key: string, managerId: string): void {
    this.entries()[entryKey(kind, key)] = managerId;
    this.write();
  }

  /**
   * The create is settled (refused, or the state holds `managerId`): forget it, unless a later create replaced
   * the entry. A refresh settles every instance it reads, so the settles of one moment are written together; a
   * settle lost to a crash only keeps an entry a little longer, never loses one.
   */
  settle(kind: Kind, key: string, managerId: string): void {
    const entries = this.entries();
    if (entries[entryKey(kind, key)] !== managerId) return;
    delete entries[entryKey(kind, key)];
    if (this.settlesPending) return;
    this.settlesPending = true;
    setImmediate(() => {
      this.settlesPending = false;
      this.write();
    });
  }

  private entries(): Entries {
    if (this.cached === null) {
      try {
        this.cached = JSON.parse(readFileSync(this.file, 'utf8')) as Entries;
      } catch {
        this.cached = {}; // absent (the usual case) or unreadable: no create is in doubt
      }
    }
    return this.cached;
  }

  private write(): void {
    mkdirSync(this.dataDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.entries()), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}

function entryKey(kind: Kind, key: string): string {
  return `${kind}/${key}`;
}

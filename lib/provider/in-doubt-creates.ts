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
 * Kept in the Terraform data directory, in one file to which each create and
 * each settle appends one line (`["<kind>/<key>","<manager id>"]`, or `null`
 * for settled), the last line of a key winning. Appending, not rewriting the
 * whole file and renaming it into place for every create: that cost about 2 ms
 * a create here (rename is slow on some filesystems), with the event loop
 * blocked meanwhile, and the rewrite grew with the apply. A line cut short by a
 * crash is skipped (each line begins on a new line, so the next one is whole).
 * A file with many settled lines is compacted when a process first reads it.
 * The whole-object file of earlier releases reads as one line.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind } from '../model/types';

type Entries = Record<string, string>;

/** Compact when the file holds this many more lines than entries still in doubt. */
const COMPACT_AFTER_LINES = 1_000;

export class InDoubtCreates {
  private readonly file: string;
  /** The file's entries, read once per provider process: every refresh consults them for every instance. */
  private cached: Entries | null = null;
  private dataDirMade = false;

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
    this.append(entryKey(kind, key), managerId);
  }

  /**
   * The create is settled (refused, or the state holds `managerId`): forget it, unless a later create replaced
   * the entry. A settle lost to a crash only keeps an entry a little longer, never loses one.
   */
  settle(kind: Kind, key: string, managerId: string): void {
    const entries = this.entries();
    if (entries[entryKey(kind, key)] !== managerId) return;
    delete entries[entryKey(kind, key)];
    this.append(entryKey(kind, key), null);
  }

  private entries(): Entries {
    if (this.cached === null) {
      let text = '';
      try {
        text = readFileSync(this.file, 'utf8');
      } catch {
        // absent (the usual case) or unreadable: no create is in doubt
      }
      const { entries, lines } = parseEntries(text);
      this.cached = entries;
      if (lines > Object.keys(entries).length + COMPACT_AFTER_LINES) this.compact();
    }
    return this.cached;
  }

  private append(entry: string, managerId: string | null): void {
    this.makeDataDir();
    appendFileSync(this.file, `\n${JSON.stringify([entry, managerId])}`, { mode: 0o600 });
  }

  /** The entries still in doubt, one line each, replacing the file atomically. */
  private compact(): void {
    this.makeDataDir();
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, Object.entries(this.entries()).map(line => `\n${JSON.stringify(line)}`).join(''), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private makeDataDir(): void {
    if (!this.dataDirMade) mkdirSync(this.dataDir, { recursive: true });
    this.dataDirMade = true;
  }
}

/** The entries the file's lines leave in doubt, and how many lines it has. */
function parseEntries(text: string): { entries: Entries; lines: number } {
  const entries: Entries = {};
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    lines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // cut short by a crash while it was written
    }
    if (Array.isArray(parsed) && typeof parsed[0] === 'string') {
      if (typeof parsed[1] === 'string') entries[parsed[0]] = parsed[1];
      else delete entries[parsed[0]];
    } else if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      // The whole file of an earlier release: { "<kind>/<key>": "<manager id>" }.
      for (const [entry, managerId] of Object.entries(parsed)) if (typeof managerId === 'string') entries[entry] = managerId;
    }
  }
  return { entries, lines };
}

function entryKey(kind: Kind, key: string): string {
  return `${kind}/${key}`;
}

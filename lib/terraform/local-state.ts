/**
 * A local Terraform state (the local backend's file: cdktf names it
 * `terraform.<stack>.tfstate` in the project) that a killed run left
 * unreadable, put back to the last good one.
 *
 * Terraform's local backend saves the state in place: it truncates the file,
 * then writes the new state into it, during an apply as well as at its end. A
 * process killed between the two, or in the middle of the write, leaves the
 * file empty (terraform then plans as if it managed nothing: every object
 * "already exists") or cut short (terraform refuses to load it). Terraform
 * keeps `<state file>.backup`, the state a command started from, but
 * writes it only when a command's new state differs from that, so it may be
 * older than the state that was lost; hence the caller also keeps its own copy
 * of the last state it saw whole (`keptFile`). The newest whole one wins
 * (Terraform's `serial`). Objects created after it are known to the provider's
 * in-doubt creates record (lib/provider/in-doubt-creates.ts): their creates
 * are retried with the same manager id, which the server answers as the
 * retry it is.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** How new a whole state is. */
interface StateHeader {
  serial: number;
}

/** What `checkLocalState` did to an unreadable state; null when the state was whole or absent. */
export interface StateRestored {
  /** The unreadable file, moved aside for a person to look at. */
  brokenFile: string;
  /** Why it was unreadable: `empty`, or the JSON error. */
  reason: string;
  /** The whole state put in its place, and its serial; null when none was kept (the state restarts empty). */
  from: { file: string; serial: number } | null;
  /** One line saying all of this. */
  message: string;
}

/**
 * The state file of a Terraform configuration (`cdk.tf.json`) run in `workingDir`: the local backend's `path`, or
 * Terraform's default when the configuration names no backend; null for any other backend, which keeps the state
 * elsewhere and saves it its own way.
 */
export function localStateFile(config: { terraform?: { backend?: Record<string, { path?: string }> } }, workingDir: string): string | null {
  const backend = config.terraform?.backend;
  if (backend === undefined || Object.keys(backend).length === 0) return join(workingDir, 'terraform.tfstate');
  if (!backend.local) return null;
  return resolve(workingDir, backend.local.path ?? 'terraform.tfstate');
}

/**
 * Before any terraform command: keep a whole `stateFile` in `keptFile` (atomically), or put the newest whole state
 * (its backup or `keptFile`) in place of one that cannot be read. An absent state is left absent.
 */
export function checkLocalState(stateFile: string, keptFile: string): StateRestored | null {
  if (!existsSync(stateFile)) return null;
  const text = readFileSync(stateFile, 'utf8');
  const current = parseState(text);
  if ('serial' in current) {
    writeAtomically(keptFile, text);
    return null;
  }
  const candidates = [`${stateFile}.backup`, keptFile]
    .filter(file => existsSync(file))
    .map(file => ({ file, text: readFileSync(file, 'utf8') }))
    .map(candidate => ({ ...candidate, header: parseState(candidate.text) }))
    .flatMap(candidate => ('serial' in candidate.header ? [{ ...candidate, header: candidate.header }] : []));
  // Terraform reads an empty file as no state at all: with nothing whole to put back, that is what it was.
  if (text.trim() === '' && candidates.length === 0) return null;
  const newest = candidates.reduce<(typeof candidates)[number] | null>((best, c) => (best === null || c.header.serial > best.header.serial ? c : best), null);

  const brokenFile = `${stateFile}.broken`;
  renameSync(stateFile, brokenFile);
  if (newest !== null) writeAtomically(stateFile, newest.text);
  const from = newest === null ? null : { file: newest.file, serial: newest.header.serial };
  const message =
    `${stateFile} was ${current.error} (left so by a run stopped while terraform saved it; now ${basename(brokenFile)}): ` +
    (from === null
      ? 'no whole state was kept, so terraform starts from none'
      : `restored the last whole state, serial ${from.serial}, from ${from.file}`) +
    '; objects created since are retried with their manager ids from the in-doubt creates record';
  return { brokenFile, reason: current.error, from, message };
}

function parseState(text: string): StateHeader | { error: string } {
  if (text.trim() === '') return { error: 'empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON (${(e as Error).message}; ${Buffer.byteLength(text)} bytes)` };
  }
  const header = parsed as { serial?: unknown; lineage?: unknown } | null;
  if (typeof header?.serial !== 'number' || typeof header.lineage !== 'string') return { error: 'not a Terraform state (no serial and lineage)' };
  return { serial: header.serial };
}

/** Written to a temporary file and renamed into place: a crash leaves the old file or the new one, never half of one. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}

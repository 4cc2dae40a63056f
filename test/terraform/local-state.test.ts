/**
 * checkLocalState (lib/terraform/local-state.ts) on the files a killed run
 * leaves: the state truncated to nothing or cut short, with or without
 * Terraform's backup and the kept copy, either of them older or itself cut.
 * The real-terraform run that follows a restore is in restored-state.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLocalState, localStateFile } from '../../lib/terraform/local-state';

function state(serial: number): string {
  return `${JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage: 'b5f6c3d2-0000-4000-8000-000000000000', outputs: {}, resources: [] }, null, 2)}\n`;
}

describe('checkLocalState', () => {
  let dir: string;
  let stateFile: string;
  let backup: string;
  let kept: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procurement-state-'));
    stateFile = join(dir, 'terraform.tfstate');
    backup = `${stateFile}.backup`;
    kept = join(dir, 'kept', 'dev.tfstate');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('no state: nothing to check, nothing kept', () => {
    expect(checkLocalState(stateFile, kept)).toBeNull();
    expect(existsSync(stateFile)).toBe(false);
    expect(existsSync(kept)).toBe(false);
  });

  test('a whole state is left as it is and kept', () => {
    writeFileSync(stateFile, state(7));
    expect(checkLocalState(stateFile, kept)).toBeNull();
    expect(readFileSync(stateFile, 'utf8')).toBe(state(7));
    expect(readFileSync(kept, 'utf8')).toBe(state(7));
  });

  test('a state cut short is replaced by its backup, and set aside', () => {
    writeFileSync(backup, state(3));
    writeFileSync(stateFile, state(4).slice(0, 40));
    const restored = checkLocalState(stateFile, kept)!;
    expect(readFileSync(stateFile, 'utf8')).toBe(state(3));
    expect(readFileSync(restored.brokenFile, 'utf8')).toBe(state(4).slice(0, 40));
    expect(restored.from).toEqual({ file: backup, serial: 3 });
    expect(restored.reason).toMatch(/^not valid JSON \(.*; 40 bytes\)$/);
    expect(restored.message).toBe(
      `${stateFile} was ${restored.reason} (left so by a run stopped while terraform saved it; now terraform.tfstate.broken): ` +
        `restored the last whole state, serial 3, from ${backup}; objects created since are retried with their manager ids from the in-doubt creates record`,
    );
  });

  test('an empty state (truncated, nothing written yet) is replaced by the kept copy when it is newer than the backup', () => {
    // Terraform writes no backup when a command's state equals the one it read, so the backup may be older.
    writeFileSync(backup, state(2));
    mkdirSync(join(dir, 'kept'));
    writeFileSync(kept, state(5));
    writeFileSync(stateFile, '');
    const restored = checkLocalState(stateFile, kept)!;
    expect(restored.reason).toBe('empty');
    expect(restored.from).toEqual({ file: kept, serial: 5 });
    expect(readFileSync(stateFile, 'utf8')).toBe(state(5));
  });

  test('a candidate that is itself cut short is passed over', () => {
    writeFileSync(backup, state(2));
    mkdirSync(join(dir, 'kept'));
    writeFileSync(kept, state(9).slice(0, 10));
    writeFileSync(stateFile, '{"version": 4, "serial"');
    expect(checkLocalState(stateFile, kept)!.from).toEqual({ file: backup, serial: 2 });
    expect(readFileSync(stateFile, 'utf8')).toBe(state(2));
  });

  test('JSON that is not a Terraform state counts as broken', () => {
    writeFileSync(backup, state(1));
    writeFileSync(stateFile, '{"version": 4}');
    expect(checkLocalState(stateFile, kept)!.reason).toBe('not a Terraform state (no serial and lineage)');
    expect(readFileSync(stateFile, 'utf8')).toBe(state(1));
  });

  test('cut short with nothing whole kept: set aside, so terraform starts from no state', () => {
    writeFileSync(stateFile, state(1).slice(0, 25));
    const restored = checkLocalState(stateFile, kept)!;
    expect(restored.from).toBeNull();
    expect(restored.message).toContain('no whole state was kept, so terraform starts from none');
    expect(existsSync(stateFile)).toBe(false);
    expect(readFileSync(restored.brokenFile, 'utf8')).toBe(state(1).slice(0, 25));
  });

  test('empty with nothing whole kept is what terraform reads as no state: left alone', () => {
    writeFileSync(stateFile, '');
    expect(checkLocalState(stateFile, kept)).toBeNull();
    expect(readFileSync(stateFile, 'utf8')).toBe('');
  });
});

describe('localStateFile', () => {
  test("the local backend's path (cdktf's terraform.<stack>.tfstate), relative to the working directory or absolute", () => {
    expect(localStateFile({ terraform: { backend: { local: { path: '/p/terraform.dev.tfstate' } } } }, '/p/cdktf.out/stacks/dev')).toBe('/p/terraform.dev.tfstate');
    expect(localStateFile({ terraform: { backend: { local: { path: 'my.tfstate' } } } }, '/w')).toBe('/w/my.tfstate');
    expect(localStateFile({ terraform: { backend: { local: {} } } }, '/w')).toBe('/w/terraform.tfstate');
  });

  test("no backend: terraform's default; another backend: none, it keeps the state its own way", () => {
    expect(localStateFile({}, '/w')).toBe('/w/terraform.tfstate');
    expect(localStateFile({ terraform: { backend: { s3: {} } } }, '/w')).toBeNull();
  });
});

/**
 * The record of creates whose outcome the state may not know: each create and
 * settle is one line appended to the file, and what one process wrote the next
 * process reads (the provider runs as a fresh process per phase).
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InDoubtCreates } from '../../lib/provider/in-doubt-creates';

const FILE = 'procurement-in-doubt-creates.json';

describe('in-doubt creates', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = join(mkdtempSync(join(tmpdir(), 'procurement-in-doubt-')), '.terraform')));
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  test('a remembered create is on disk for the next process until it is settled with its own manager id', () => {
    const first = new InDoubtCreates(dataDir);
    first.remember('clients', 'erp', 'manager-1');
    first.remember('scopes', 'catalog.read', 'manager-2');
    expect(new InDoubtCreates(dataDir).managerOf('clients', 'erp')).toBe('manager-1');

    const second = new InDoubtCreates(dataDir);
    second.settle('clients', 'erp', 'another-manager'); // a later create replaced it: kept
    expect(new InDoubtCreates(dataDir).managerOf('clients', 'erp')).toBe('manager-1');
    second.settle('clients', 'erp', 'manager-1');
    const third = new InDoubtCreates(dataDir);
    expect(third.managerOf('clients', 'erp')).toBeNull();
    expect(third.managerOf('scopes', 'catalog.read')).toBe('manager-2');
  });

  test('a line cut short by a crash is skipped and the next line still counts', () => {
    const creates = new InDoubtCreates(dataDir);
    creates.remember('clients', 'erp', 'manager-1');
    appendFileSync(join(dataDir, FILE), '\n["roles/ag'); // the process died while writing
    new InDoubtCreates(dataDir).remember('roles', 'agent', 'manager-3');
    const next = new InDoubtCreates(dataDir);
    expect(next.managerOf('clients', 'erp')).toBe('manager-1');
    expect(next.managerOf('roles', 'agent')).toBe('manager-3');
  });

  test("an earlier release's whole-object file is read, and later lines apply on top of it", () => {
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, FILE), JSON.stringify({ 'clients/erp': 'manager-1', 'scopes/catalog.read': 'manager-2' }));
    new InDoubtCreates(dataDir).settle('clients', 'erp', 'manager-1');
    const next = new InDoubtCreates(dataDir);
    expect(next.managerOf('clients', 'erp')).toBeNull();
    expect(next.managerOf('scopes', 'catalog.read')).toBe('manager-2');
  });

  test('a file with more than 1,000 settled lines is compacted to the entries still in doubt when first read', () => {
    const creates = new InDoubtCreates(dataDir);
    for (let i = 0; i < 600; i++) {
      creates.remember('clients', `client-${i}`, `manager-${i}`);
      if (i !== 7) creates.settle('clients', `client-${i}`, `manager-${i}`);
    }
    const file = join(dataDir, FILE);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1_199);
    const next = new InDoubtCreates(dataDir);
    expect(next.managerOf('clients', 'client-7')).toBe('manager-7');
    expect(readFileSync(file, 'utf8').trim().split('\n')).toEqual(['["clients/client-7","manager-7"]']);
    expect(new InDoubtCreates(dataDir).managerOf('clients', 'client-8')).toBeNull();
  });

  test('below the limit the file is left as it is', () => {
    const creates = new InDoubtCreates(dataDir);
    for (let i = 0; i < 400; i++) {
      creates.remember('clients', `client-${i}`, `manager-${i}`);
      creates.settle('clients', `client-${i}`, `manager-${i}`);
    }
    new InDoubtCreates(dataDir).managerOf('clients', 'client-0');
    expect(readFileSync(join(dataDir, FILE), 'utf8').trim().split('\n')).toHaveLength(800);
  });
});

/**
 * Where client secrets live under PROCUREMENT_SECRETS_DIR: one directory per stack and server, and what an
 * earlier layout left, moved when only one server can have issued it and explained otherwise. Real files in a
 * temporary directory.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../../lib/client/secret-store';
import { openStackSecrets, serverDirName, stackSecretsDir } from '../../lib/client/secrets-layout';

describe('the secrets layout', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'secrets-layout-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const open = (stack: string, serverUrl: string, serverName?: string) => {
    const notes: string[] = [];
    const store = openStackSecrets({ root, stack, serverUrl, serverName }, note => notes.push(note));
    return { store, notes };
  };

  test("a server's directory name: host and port, the scheme's port when the URL has none, its path, safe as a file name", () => {
    expect(serverDirName('http://127.0.0.1:8787')).toBe('127.0.0.1_8787');
    expect(serverDirName('http://127.0.0.1:8787/')).toBe('127.0.0.1_8787');
    expect(serverDirName('https://Auth.Example.com')).toBe('auth.example.com_443');
    expect(serverDirName('http://auth.example.com')).toBe('auth.example.com_80');
    expect(serverDirName('https://auth.example.com/procurement/v1/')).toBe('auth.example.com_443_procurement-v1');
    expect(serverDirName('http://[::1]:9000')).toBe('1_9000');
    const long = serverDirName(`https://${'a'.repeat(60)}.${'b'.repeat(60)}.example.com`);
    expect(long).toMatch(/^a{60}\.b{30}-[0-9a-f]{8}$/);
    expect(long).not.toBe(serverDirName(`https://${'a'.repeat(60)}.${'b'.repeat(60)}.example.org`));
    expect(() => serverDirName('not a url')).toThrow("'not a url' is not a server URL");
  });

  test('one directory per stack and server: the same stack on two servers, and two stacks on one, keep apart', () => {
    const dev = 'http://127.0.0.1:8787';
    const team = 'https://auth.example.com';
    expect(stackSecretsDir({ root, stack: 'dev', serverUrl: dev })).toBe(join(root, 'dev', '127.0.0.1_8787'));
    const mine = open('dev', dev).store;
    const theirs = open('dev', team).store;
    const prod = open('prod', team).store;
    mine.save('erp', 'mine');
    theirs.save('erp', 'theirs');
    prod.save('erp', 'prod');
    expect([mine, theirs, prod].map(s => s.load('erp')?.clientSecret)).toEqual(['mine', 'theirs', 'prod']);
    expect(new Set([mine.dir, theirs.dir, prod.dir]).size).toBe(3);
  });

  test('a server name given (PROCUREMENT_SERVER_NAME) replaces the one from the URL, and must be safe as a file name', () => {
    expect(stackSecretsDir({ root, stack: 'dev', serverUrl: 'http://127.0.0.1:41234', serverName: 'embedded' })).toBe(join(root, 'dev', 'embedded'));
    for (const bad of ['../up', 'a/b', 'Upper', '.hidden', 'x'.repeat(101)]) {
      expect(() => stackSecretsDir({ root, stack: 'dev', serverUrl: 'http://127.0.0.1:1', serverName: bad })).toThrow(/PROCUREMENT_SERVER_NAME must be a name of \[a-z0-9._-\]/);
    }
  });

  test("the previous layout (one directory per stack) moves into the first server's directory, with a note", () => {
    const previous = new SecretStore(join(root, 'dev'));
    previous.save('erp', 'erp-secret');
    previous.save('helpdesk', 'helpdesk-secret');
    const { store, notes } = open('dev', 'http://127.0.0.1:8787');
    expect(store.dir).toBe(join(root, 'dev', '127.0.0.1_8787'));
    expect(store.load('erp')?.clientSecret).toBe('erp-secret');
    expect(store.load('helpdesk')?.clientSecret).toBe('helpdesk-secret');
    expect(readdirSync(join(root, 'dev'))).toEqual(['127.0.0.1_8787']);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(notes).toEqual([
      `moved 2 client secret(s) (erp, helpdesk) from ${join(root, 'dev')}, where an earlier version kept the stack's secrets whatever the server, ` +
        `into ${store.dir}: secrets are kept per stack and server now, and http://127.0.0.1:8787 is the first server this stack is used with since`,
    ]);
    // Once moved, nothing is left to say; another server starts empty.
    expect(open('dev', 'http://127.0.0.1:8787').notes).toEqual([]);
    const other = open('dev', 'https://auth.example.com');
    expect(other.notes).toEqual([]);
    expect(other.store.load('erp')).toBeNull();
  });

  test('previous-layout files met once the stack has a server directory are left where they are, with what to do', () => {
    open('dev', 'https://auth.example.com').store.save('erp', 'team');
    new SecretStore(join(root, 'dev')).save('helpdesk', 'whose?');
    const { store, notes } = open('dev', 'http://127.0.0.1:8787');
    expect(store.load('helpdesk')).toBeNull();
    expect(existsSync(join(root, 'dev', 'helpdesk.json'))).toBe(true);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`1 client secret(s) in ${join(root, 'dev')} (helpdesk) were written by an earlier version`);
    expect(notes[0]).toContain('this stack has been used with auth.example.com_443 since, so which server issued them is not known and they were left there');
    expect(notes[0]).toContain(`Move each file into ${join(root, 'dev', '<server>')} of the server that issued it (this one's is ${store.dir})`);
    expect(notes[0]).toContain('procurement-scopes rotate-secret <client_id> --stack dev');
  });

  test('files from the layout before that (every stack in the root) are explained, never moved', () => {
    new SecretStore(root).save('erp', 'which stack?');
    mkdirSync(join(root, 'prod'));
    const { store, notes } = open('dev', 'http://127.0.0.1:8787', 'embedded');
    expect(store.dir).toBe(join(root, 'dev', 'embedded'));
    expect(existsSync(join(root, 'erp.json'))).toBe(true);
    expect(notes).toEqual([
      `1 client secret(s) in ${root} (erp) were written by an earlier version, which kept every stack's secrets there; they are kept per ` +
        `stack and server now (this one's: ${store.dir}). Move each file into ${join(root, '<stack>', '<server>')} of the stack and server ` +
        'that issued it, or delete it and issue a new secret with `procurement-scopes rotate-secret <client_id> --stack <stack>`',
    ]);
  });
});

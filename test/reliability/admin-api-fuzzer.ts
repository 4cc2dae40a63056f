/**
 * Random and mutated admin API requests from a seeded PRNG: the same seed
 * gives the same sequence of requests, so a failure can be replayed with
 * FUZZ_SEED. Keys come from small pools so that writes collide, reference
 * each other and get deleted while referenced; a share of the requests are
 * valid writes, so that there is state to corrupt.
 */
import { Kind } from '../../lib/model/types';

export interface FuzzRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What the generator meant, for failure messages: `valid put`, `mutated put: wrong type`, ... */
  intent: string;
}

/** mulberry32: small, fast, good enough to spread requests; not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: Kind[] = ['scopes', 'roles', 'clients', 'role-bindings'];
const POOL_SIZE: Record<Kind, number> = { scopes: 24, roles: 10, clients: 16, 'role-bindings': 8 };
const KEY_OF: Record<Kind, (i: number) => string> = {
  scopes: i => `res${i}.use`,
  roles: i => `role-${i}`,
  clients: i => `client-${i}`,
  'role-bindings': i => `binding-${i}`,
};
const KEY_FIELD: Record<Kind, string> = { scopes: 'name', roles: 'name', clients: 'clientId', 'role-bindings': 'name' };

/** Strings that break naive code: unicode planes, controls, lone surrogates, RTL, injection-looking text, near the limits. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'é',
  '日本語の説明',
  '🔥💸',
  '\u202eevil',
  '\ud800',
  '\udfff\ud800',
  "'; DROP TABLE objects; --",
  '../../etc/passwd',
  '%00',
  '${procurement_scope.x.name}',
  'a'.repeat(101),
  'a'.repeat(501),
  'x'.repeat(70_000),
  'catalog.*',
  'Catalog.Read',
  'a.b.c.d.e.f',
  '\n\t',
];

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, 1e308, true, false, [], {}, [null], { nested: { deep: [1, 2, 3] } }, 'string', '2030-01-01'];

export class AdminApiFuzzer {
  private readonly random: () => number;
  /** ETags seen in answers, so that some If-Match headers are right (or right but stale). */
  private readonly etags: string[] = [];

  constructor(
    seed: number,
    private readonly adminToken: string,
  ) {
    this.random = seededRandom(seed);
  }

  /** Tells the fuzzer an ETag the server answered. */
  sawEtag(etag: string): void {
    this.etags.push(etag);
    if (this.etags.length > 200) this.etags.shift();
  }

  next(): FuzzRequest {
    const roll = this.random();
    if (roll < 0.35) return this.validPut();
    if (roll < 0.45) return this.validDelete();
    if (roll < 0.7) return this.mutatedPut();
    if (roll < 0.8) return this.read();
    if (roll < 0.85) return this.rotateSecret();
    return this.randomRequest();
  }

  private validPut(): FuzzRequest {
    const kind = this.pick(KINDS);
    const key = this.poolKey(kind);
    return this.put(kind, key, this.validObject(kind, key), 'valid put');
  }

  private validDelete(): FuzzRequest {
    const kind = this.pick(KINDS);
    return this.request('DELETE', `/admin/v1/${kind}/${pathSegment(this.poolKey(kind))}`, 'valid delete', { ifMatch: this.chance(0.2) });
  }

  private mutatedPut(): FuzzRequest {
    const kind = this.pick(KINDS);
    const key = this.poolKey(kind);
    const object = this.validObject(kind, key) as Record<string, unknown>;
    const fields = Object.keys(object);
    const field = this.pick(fields);
    const mutations: [string, () => string | undefined][] = [
      ['wrong type', () => JSON.stringify({ ...object, [field]: this.pick(ODD_VALUES) })],
      ['unknown field', () => JSON.stringify({ ...object, [this.pick(['extra', '__proto__', 'constructor', 'id', 'clientSecret'])]: this.pick(ODD_VALUES) })],
      ['nasty string', () => JSON.stringify({ ...object, [field]: this.pick(NASTY_STRINGS) })],
      ['nasty set item', () => JSON.stringify({ ...object, [field]: [this.pick(NASTY_STRINGS), this.pick(NASTY_STRINGS)] })],
      ['missing field', () => JSON.stringify(Object.fromEntries(Object.entries(object).filter(([name]) => name !== field)))],
      ['key differs from path', () => JSON.stringify({ ...object, [KEY_FIELD[kind]]: this.poolKey(kind) + 'x' })],
      ['missing reference', () => JSON.stringify(this.withMissingReference(kind, object))],
      ['bad json', () => JSON.stringify(object).slice(0, Math.floor(this.random() * 40))],
      ['not an object', () => this.pick(['[]', '42', 'null', '"text"', 'true', '[{}]'])],
      ['empty body', () => undefined],
      ['huge body', () => JSON.stringify({ ...object, description: 'd'.repeat(1_100_000) })],
      ['deep nesting', () => JSON.stringify({ ...object, [field]: '\u0000' }).replace('"\\u0000"', nested(this.int(1, 20_000)))],
      ['duplicate set items', () => JSON.stringify(this.withDuplicates(kind, object))],
      ['unicode key', () => JSON.stringify({ ...object, [KEY_FIELD[kind]]: this.pick(NASTY_STRINGS) })],
    ];
    const [name, body] = this.pick(mutations);
    const path = name === 'unicode key' ? `/admin/v1/${kind}/${pathSegment(this.pick(NASTY_STRINGS) || 'x')}` : `/admin/v1/${kind}/${pathSegment(key)}`;
    return this.request('PUT', path, `mutated put: ${name}`, { body: body(), json: this.chance(0.95), ifMatch: this.chance(0.15) });
  }

  private read(): FuzzRequest {
    const kind = this.pick(KINDS);
    const paths = [
      `/admin/v1/${kind}/${pathSegment(this.poolKey(kind))}`,
      `/admin/v1/${kind}?limit=${this.pick(['1', '5', '1000', '0', '-1', '1001', 'abc', '1e3', ''])}&after=${pathSegment(this.pick([this.poolKey(kind), '', '\u0000', 'zzz']))}`,
      '/admin/v1/snapshot',
      `/admin/v1/audit?limit=${this.int(1, 50)}&kind=${this.pick([kind, 'bogus'])}&after=${this.pick(['0', '5', 'x', '-1'])}`,
      `/admin/v1/audit?since=${this.pick(['2020-01-01T00:00:00Z', 'yesterday', ''])}&unknown=1`,
      `/admin/v1/usage?clientId=${pathSegment(this.poolKey('clients'))}`,
      `/admin/v1/clients/${pathSegment(this.poolKey('clients'))}/effective-scopes`,
    ];
    return this.request('GET', this.pick(paths), 'read');
  }

  private rotateSecret(): FuzzRequest {
    const key = this.chance(0.8) ? this.poolKey('clients') : this.pick(NASTY_STRINGS);
    return this.request('POST', `/admin/v1/clients/${pathSegment(key)}/secret`, 'rotate secret', { body: this.chance(0.5) ? '{}' : undefined, json: true });
  }

  /** Anything at all: methods, paths, encodings, headers, bodies. */
  private randomRequest(): FuzzRequest {
    const method = this.pick(['GET', 'PUT', 'DELETE', 'POST', 'PATCH', 'HEAD', 'OPTIONS']);
    const segment = () =>
      this.pick([...KINDS, 'snapshot', 'audit', 'usage', 'secret', 'effective-scopes', '', '..', '%zz', '%2F', pathSegment(this.pick(NASTY_STRINGS)), this.poolKey(this.pick(KINDS))]);
    const path = `/admin/v1/${Array.from({ length: this.int(0, 4) }, segment).join('/')}${this.chance(0.2) ? '/' : ''}`;
    const token = this.pick([this.adminToken, this.adminToken, this.adminToken, '', 'wrong-token-0123456789', `${this.adminToken}x`]);
    const request = this.request(method, path, 'random', {
      body: this.chance(0.5) ? this.pick(['{}', '{"name":"x.y"}', '[', 'null', this.pick(NASTY_STRINGS)]) : undefined,
      json: this.chance(0.7),
      ifMatch: this.chance(0.3),
    });
    if (token === '') delete request.headers.authorization;
    else request.headers.authorization = `Bearer ${token}`;
    if (this.chance(0.1)) request.headers['x-actor'] = this.pick(['', 'a'.repeat(300), 'fuzzer \u00e9', 'fuzzer\tx']);
    return request;
  }

  private validObject(kind: Kind, key: string): object {
    const some = (of: Kind, max: number) => [...new Set(Array.from({ length: this.int(0, max) }, () => this.poolKey(of)))];
    switch (kind) {
      case 'scopes':
        return { name: key, description: this.description(), risk: this.pick(['low', 'medium', 'high', 'critical']), external: this.chance(0.3), implies: some('scopes', 2).filter(s => s !== key) };
      case 'roles':
        return { name: key, description: this.description(), scopes: some('scopes', 4) };
      case 'clients': {
        const code = this.chance(0.2);
        return {
          clientId: key,
          displayName: `Client ${this.pick(NASTY_STRINGS.slice(3, 7))}`,
          owner: `team-${this.int(0, 5)}`,
          external: this.chance(0.3),
          grantTypes: code ? ['authorization_code', 'client_credentials'] : ['client_credentials'],
          redirectUris: code ? ['https://app.example.com/callback'] : [],
          tokenLifetimeSeconds: this.int(60, 86_400),
          secretRotationDays: this.int(1, 365),
        };
      }
      case 'role-bindings':
        return {
          name: key,
          role: this.poolKey('roles'),
          subjects: some('clients', 3).map(clientId => ({
            clientId,
            expiresAt: this.chance(0.5) ? null : `2031-0${this.int(1, 9)}-1${this.int(0, 9)}T00:00:00Z`,
            justification: this.chance(0.5) ? null : `CHG-${this.int(1, 9999)}`,
          })),
        };
    }
  }

  private withMissingReference(kind: Kind, object: Record<string, unknown>): object {
    switch (kind) {
      case 'scopes':
        return { ...object, implies: ['missing.scope'] };
      case 'roles':
        return { ...object, scopes: ['missing.scope'] };
      case 'role-bindings':
        return this.chance(0.5) ? { ...object, role: 'missing-role' } : { ...object, subjects: [{ clientId: 'missing-client' }] };
      default:
        return object;
    }
  }

  private withDuplicates(kind: Kind, object: Record<string, unknown>): object {
    if (kind === 'role-bindings') return { ...object, subjects: [{ clientId: 'client-0' }, { clientId: 'client-0' }] };
    if (kind === 'clients') return { ...object, grantTypes: ['client_credentials', 'client_credentials'] };
    if (kind === 'roles') return { ...object, scopes: ['res0.use', 'res0.use'] };
    return { ...object, implies: ['res0.use', 'res0.use'] };
  }

  private put(kind: Kind, key: string, object: object, intent: string): FuzzRequest {
    return this.request('PUT', `/admin/v1/${kind}/${pathSegment(key)}`, intent, { body: JSON.stringify(object), json: true, ifMatch: this.chance(0.1) });
  }

  private request(method: string, path: string, intent: string, options: { body?: string; json?: boolean; ifMatch?: boolean } = {}): FuzzRequest {
    const headers: Record<string, string> = { authorization: `Bearer ${this.adminToken}`, 'x-actor': 'fuzzer' };
    if (options.body !== undefined) {
      headers['content-type'] = options.json === false ? this.pick(['text/plain', 'application/x-www-form-urlencoded', 'application/jsonx']) : 'application/json';
      // Node's client sends a GET/DELETE/OPTIONS body with neither length nor chunking: say the length, or the request is malformed.
      headers['content-length'] = String(Buffer.byteLength(options.body));
    }
    if (options.ifMatch) headers['if-match'] = this.pick(['*', '"0"', '"999999"', 'garbage', 'W/"1"', ...this.etags.slice(-5)]);
    return { method, path, headers, body: options.body, intent };
  }

  private description(): string {
    return this.chance(0.2) ? `Fuzzed ${this.pick(NASTY_STRINGS.slice(3, 7))}` : `Fuzzed object ${this.int(0, 1000)}`;
  }

  private poolKey(kind: Kind): string {
    return KEY_OF[kind](this.int(0, POOL_SIZE[kind] - 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }
}

/** JSON text nested `depth` objects deep, written as text: JSON.stringify itself would overflow the stack. */
function nested(depth: number): string {
  return `${'{"n":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`;
}

/**
 * Node's HTTP parser refuses a request head over 16 KiB (431, then closes the
 * connection, which a client still sending its body sees as a reset): that is
 * Node's limit, not the admin API's, so path segments stay well below it.
 */
const MAX_SEGMENT_LENGTH = 2_000;

/** Percent-encodes a path segment; a lone surrogate (which encodeURIComponent refuses) becomes invalid UTF-8, itself a good probe. */
function pathSegment(text: string): string {
  try {
    return encodeURIComponent(text.slice(0, MAX_SEGMENT_LENGTH));
  } catch {
    return '%ED%A0%80';
  }
}

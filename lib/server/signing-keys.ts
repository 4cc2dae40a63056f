/**
 * The keys that sign access tokens (EC P-256, ES256), kept in the store so
 * that every server instance on one database signs and publishes the same
 * set, with rotation that never breaks a token a relying party holds:
 *
 * - A rotation (`rotate`) creates the next key, published in the JWKS at once
 *   and signing from `activatesAt` = now + the publish delay (default one hour,
 *   so relying parties that cache the JWKS learn it before they meet it).
 * - The key active until then gets `removeAt` = `activatesAt` + the longest
 *   token lifetime the model allows + the check interval below: it stays
 *   published until the last token it can have signed has expired.
 * - Each key's state follows from these times and the clock alone, so
 *   activation and removal need no write and happen on every instance at once.
 *
 * Instances notice another instance's rotation by polling the set's version,
 * at most once per `KEY_SET_CHECK_INTERVAL_MS` (on the next request after the
 * interval): a rotation is published everywhere within that bound, which is why
 * a publish delay shorter than it is for emergencies only.
 *
 * Data directories of older releases kept one key in `<dataDir>/signing-key.json`:
 * at first start it becomes the store's first (active) key and the file is
 * removed, so tokens signed before the upgrade keep verifying.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SigningKeyInfo } from '../model/admin-api';
import { LIMITS } from '../model/schemas';
import { ServerError } from './errors';
import { SigningKeyStore, StoredSigningKey } from './store/store';
import { Logger } from './log';

export interface SigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export const SIGNING_ALG = 'ES256';

/** How stale an instance's view of another instance's rotation may be. */
export const KEY_SET_CHECK_INTERVAL_MS = 5_000;

export const PUBLISH_DELAY_SECONDS = { default: 3_600, min: 0, max: 30 * 86_400 } as const;

/** The keys in force at one moment: `signing` signs new tokens; `published` (signing included) is the JWKS. */
export interface KeysInForce {
  signing: SigningJwk;
  published: SigningJwk[];
  /** Changes whenever either of the above does. */
  fingerprint: string;
}

export class SigningKeys {
  /** Loads the set, creating the first key (or taking over `signing-key.json`) when the store has none. */
  static async open(store: SigningKeyStore, dataDir: string, now: () => Date, log: Logger): Promise<SigningKeys> {
    let set = await store.signingKeySet();
    if (set.keys.length === 0) {
      const legacyFile = join(dataDir, 'signing-key.json');
      const legacy = readLegacyKey(legacyFile);
      const jwk = legacy ?? newSigningJwk();
      const at = now().toISOString();
      const first: StoredSigningKey = { kid: jwk.kid, privateJwk: { ...jwk }, createdAt: at, activatesAt: at, removeAt: null };
      const version = await store.replaceSigningKeySet(set.version, [first]);
      if (version !== null && legacy) {
        unlinkSync(legacyFile);
        log.info(`moved the token signing key from ${legacyFile} into the store`);
      }
      // null: another instance on the same database created the first key a moment before.
      set = version === null ? await store.signingKeySet() : { version, keys: [first] };
    }
    return new SigningKeys(store, now, set);
  }

  private checkedAt = performance.now();
  private checking: Promise<void> | null = null;

  private constructor(
    private readonly store: SigningKeyStore,
    private readonly now: () => Date,
    private set: { version: number; keys: StoredSigningKey[] },
  ) {}

  /** The keys in force now; computed again only when the set changes or one of its times comes due (this runs on every token request). */
  inForce(): KeysInForce {
    const at = this.now().getTime();
    if (this.cached && this.cached.set === this.set && at >= this.cached.from && at < this.cached.until) return this.cached.keys;
    const keys = this.computeInForce(at);
    const times = this.set.keys.flatMap(k => [Date.parse(k.activatesAt), k.removeAt === null ? Infinity : Date.parse(k.removeAt)]);
    this.cached = { set: this.set, keys, from: Math.max(-Infinity, ...times.filter(t => t <= at)), until: Math.min(Infinity, ...times.filter(t => t > at)) };
    return keys;
  }

  private cached: { set: SigningKeys['set']; keys: KeysInForce; from: number; until: number } | null = null;

  private computeInForce(at: number): KeysInForce {
    const published = this.set.keys.filter(k => k.removeAt === null || Date.parse(k.removeAt) > at);
    const activated = published.filter(k => Date.parse(k.activatesAt) <= at);
    // The set always holds an activated key; the earliest one stands in should a clock run backwards.
    const signing = activated[activated.length - 1] ?? published[0];
    return {
      signing: signing.privateJwk as unknown as SigningJwk,
      published: published.map(k => k.privateJwk as unknown as SigningJwk),
      fingerprint: `${signing.kid}|${published.map(k => k.kid).join(',')}`,
    };
  }

  /** Reloads the set when another instance changed it; reads the store at most once per check interval. */
  async refresh(): Promise<void> {
    if (this.checking) return this.checking;
    if (performance.now() - this.checkedAt < KEY_SET_CHECK_INTERVAL_MS) return;
    this.checkedAt = performance.now();
    this.checking = (async () => {
      if ((await this.store.signingKeySetVersion()) !== this.set.version) this.set = await this.store.signingKeySet();
    })().finally(() => (this.checking = null));
    return this.checking;
  }

  /** Every key still published and when each changes state, for people. */
  list(): SigningKeyInfo[] {
    const inForce = this.inForce();
    const at = this.now().getTime();
    return this.set.keys
      .filter(k => k.removeAt === null || Date.parse(k.removeAt) > at)
      .map(k => ({
        kid: k.kid,
        state: k.kid === inForce.signing.kid ? 'active' : Date.parse(k.activatesAt) > at ? 'next' : 'retired',
        createdAt: k.createdAt,
        activatesAt: k.activatesAt,
        removeAt: k.removeAt,
      }));
  }

  /**
   * Creates the next key: published now, signing after `publishDelaySeconds`; the active key is retired then and
   * removed once its last token has expired. Refused while an earlier next key still waits to activate.
   */
  async rotate(publishDelaySeconds: number): Promise<SigningKeyInfo> {
    this.set = await this.store.signingKeySet();
    const at = this.now();
    const waiting = this.set.keys.find(k => Date.parse(k.activatesAt) > at.getTime());
    if (waiting) {
      throw new ServerError(
        409,
        'rotation_pending',
        `the signing key '${waiting.kid}' from the last rotation is published but only signs from ${waiting.activatesAt}: ` +
          'rotate again after that moment (relying parties must see each key in the JWKS before it signs)',
      );
    }
    const jwk = newSigningJwk();
    const activatesAt = new Date(at.getTime() + publishDelaySeconds * 1000);
    // The active key may sign until `activatesAt` (instances that have not seen the rotation yet: up to one check
    // interval after now); its tokens live at most the model's longest token lifetime.
    const lastSignature = Math.max(activatesAt.getTime(), at.getTime() + KEY_SET_CHECK_INTERVAL_MS);
    const removeAt = new Date(lastSignature + LIMITS.tokenLifetimeSeconds.max * 1000 + KEY_SET_CHECK_INTERVAL_MS).toISOString();
    const signingKid = this.inForce().signing.kid;
    const kept = this.set.keys
      .filter(k => k.removeAt === null || Date.parse(k.removeAt) > at.getTime())
      .map(k => (k.kid === signingKid ? { ...k, removeAt } : k));
    const next: StoredSigningKey = {
      kid: jwk.kid,
      privateJwk: { ...jwk },
      createdAt: at.toISOString(),
      activatesAt: activatesAt.toISOString(),
      removeAt: null,
    };
    const version = await this.store.replaceSigningKeySet(this.set.version, [...kept, next]);
    if (version === null) {
      throw new ServerError(409, 'concurrent_rotation', 'another server instance changed the signing keys at the same moment: list them, and rotate again if still needed');
    }
    this.set = { version, keys: [...kept, next] };
    return this.list().find(k => k.kid === next.kid)!;
  }
}

export function publicJwk({ d: _private, ...rest }: SigningJwk): Omit<SigningJwk, 'd'> {
  return rest;
}

function newSigningJwk(): SigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: SIGNING_ALG, use: 'sig' } as SigningJwk;
}

function readLegacyKey(file: string): SigningJwk | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SigningJwk;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

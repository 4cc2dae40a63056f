/**
 * The `--downstream <file.json>` of `procurement-scopes server`: which server
 * the control plane pushes to, and how. One entry per kind in ADAPTERS; a
 * file path inside the file (a token file, a key file) is read relative to
 * the file. Every mistake is named with the field and what to write instead.
 *
 *   {"kind":"rfc7592","issuer":"https://auth.example.com","initialAccessTokenFile":"iat","reconcileSeconds":5,"drift":"revert"}
 *   {"kind":"glewlwyd","apiUrl":"https://sso.example.com/api","apiKeyFile":"api-key","plugin":"oauth2","reconcileSeconds":5}
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DownstreamAdapter } from './adapter';
import { GlewlwydAdapter } from './glewlwyd';
import { DriftMode } from './plan';
import { Rfc7592Adapter } from './rfc7592';

export interface DownstreamSettings {
  adapter: DownstreamAdapter;
  /** Names the downstream in the store's ownership records: its kind and address. */
  id: string;
  reconcileSeconds: number;
  drift: DriftMode;
}

type Field = (name: string) => string;

/** Per kind: the adapter made from the file's fields, and the address that identifies the downstream. */
const ADAPTERS: Record<string, (field: Field, file: Field) => { adapter: DownstreamAdapter; address: string }> = {
  rfc7592: (field, file) => {
    const issuer = field('issuer');
    return { adapter: new Rfc7592Adapter({ kind: 'rfc7592', issuer, initialAccessTokenFile: file('initialAccessTokenFile') }), address: issuer };
  },
  glewlwyd: (field, file) => {
    const apiUrl = field('apiUrl');
    return { adapter: new GlewlwydAdapter({ kind: 'glewlwyd', apiUrl, apiKeyFile: file('apiKeyFile'), plugin: field('plugin') }), address: apiUrl };
  },
};

const DEFAULT_RECONCILE_SECONDS = 5;

export class DownstreamConfigError extends Error {}

export function loadDownstream(path: string): DownstreamSettings {
  const where = `the downstream file ${path}`;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DownstreamConfigError(`${where} cannot be read as JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DownstreamConfigError(`${where} must hold one JSON object`);
  const body = raw as Record<string, unknown>;
  const field: Field = name => {
    const value = body[name];
    if (typeof value !== 'string' || value === '') throw new DownstreamConfigError(`${where}: "${name}" must be a non-empty string`);
    return value;
  };
  const file: Field = name => resolve(dirname(path), field(name));
  const make = ADAPTERS[String(body.kind)];
  if (!make) throw new DownstreamConfigError(`${where}: "kind" must be one of ${Object.keys(ADAPTERS).join(', ')}, got ${JSON.stringify(body.kind)}`);
  const reconcileSeconds = body.reconcileSeconds ?? DEFAULT_RECONCILE_SECONDS;
  if (!Number.isInteger(reconcileSeconds) || (reconcileSeconds as number) < 1) {
    throw new DownstreamConfigError(`${where}: "reconcileSeconds" must be a whole number of seconds of at least 1, got ${JSON.stringify(body.reconcileSeconds)}`);
  }
  const drift = body.drift ?? 'revert';
  if (drift !== 'revert' && drift !== 'report') throw new DownstreamConfigError(`${where}: "drift" must be "revert" or "report", got ${JSON.stringify(body.drift)}`);
  let made: { adapter: DownstreamAdapter; address: string };
  try {
    made = make(field, file);
  } catch (e) {
    if (e instanceof DownstreamConfigError) throw e;
    throw new DownstreamConfigError(`${where}: ${(e as Error).message}`);
  }
  return { adapter: made.adapter, id: `${body.kind} ${made.address}`, reconcileSeconds: reconcileSeconds as number, drift };
}

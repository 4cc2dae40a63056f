/**
 * Where client secrets go when the provider or the CLI receives one. Secrets
 * never enter Terraform state, plan output or logs: the server answers a
 * secret once (on create or rotation) and it is written here, one file per
 * client, readable by the owner only. `verify` and the main job read it back.
 * Which directory: secrets-layout.ts.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoredSecret {
  clientId: string;
  clientSecret: string;
  /** When the server answered it (RFC 3339). */
  issuedAt: string;
  /** With a downstream that assigns its own client ids (docs/downstreams.md): the id the client uses there. */
  downstreamClientId?: string;
}

export class SecretStore {
  constructor(readonly dir: string) {}

  /** Writes atomically (temp file and rename) so that a crash never leaves half a secret. */
  save(clientId: string, clientSecret: string, issuedAt = new Date(), downstreamClientId?: string): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(clientId);
    const temp = `${file}.${process.pid}.tmp`;
    const record: StoredSecret = { clientId, clientSecret, issuedAt: issuedAt.toISOString(), ...(downstreamClientId ? { downstreamClientId } : {}) };
    writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  }

  load(clientId: string): StoredSecret | null {
    try {
      return JSON.parse(readFileSync(this.fileOf(clientId), 'utf8')) as StoredSecret;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /** Forgets a deleted client's secret: it no longer works, and a later client of that id gets a new one. */
  remove(clientId: string): void {
    rmSync(this.fileOf(clientId), { force: true });
  }

  private fileOf(clientId: string): string {
    // clientIds are [a-z0-9._-] (see the model), so they are safe file names; refuse anything else.
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(clientId)) throw new Error(`not a valid client id: '${clientId}'`);
    return join(this.dir, `${clientId}.json`);
  }
}

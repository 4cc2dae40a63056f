/**
 * Hands a new client secret to a command of the user's choosing, so that it
 * reaches its owner's secret manager instead of a directory that vanishes
 * with a CI runner. The command runs through `/bin/sh -c`; it receives
 *
 *   stdin:  {"client_id":"erp-connector","client_secret":"..."}  (one JSON line; with a downstream that
 *           assigns its own client ids, also "downstream_client_id": the id the client uses there)
 *   env:    PROCUREMENT_CLIENT_ID=erp-connector
 *
 * e.g. `vault kv put "secret/procurement/$PROCUREMENT_CLIENT_ID" -` (vault
 * reads the JSON object from stdin), or
 * `jq -r .client_secret | gh secret set "PROCUREMENT_$PROCUREMENT_CLIENT_ID"`.
 *
 * The secret never reaches an argument (visible in `ps`) or a log: whatever
 * the command prints is kept only to explain a failure, bounded, with the
 * secret blanked out. The admin token is removed from the command's
 * environment: delivering a secret needs no access to the server.
 */
import { spawn } from 'node:child_process';

export const SECRET_COMMAND_TIMEOUT_MS = 60_000;
const OUTPUT_KEPT_CHARS = 2_000;
const ENV_WITHHELD = ['PROCUREMENT_ADMIN_TOKEN'];

/** A delivery that did not happen: `message` is safe to show (it never holds the secret). */
export class SecretDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDeliveryError';
  }
}

export interface SecretCommandOptions {
  /** @default SECRET_COMMAND_TIMEOUT_MS */
  timeoutMs?: number;
  /** The environment the command inherits (less the admin token). @default this process's */
  env?: NodeJS.ProcessEnv;
  /** Where the command runs. @default this process's working directory */
  cwd?: string;
}

export class SecretCommand {
  constructor(
    readonly command: string,
    private readonly options: SecretCommandOptions = {},
  ) {}

  /** Resolves once the command exited 0; rejects with a SecretDeliveryError otherwise. */
  deliver(clientId: string, clientSecret: string, downstreamClientId?: string): Promise<void> {
    const { env: inherited = process.env, cwd, timeoutMs = SECRET_COMMAND_TIMEOUT_MS } = this.options;
    const env: NodeJS.ProcessEnv = { ...inherited, PROCUREMENT_CLIENT_ID: clientId };
    for (const name of ENV_WITHHELD) delete env[name];
    const child = spawn('/bin/sh', ['-c', this.command], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < OUTPUT_KEPT_CHARS * 2) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // A command that exits without reading stdin closes the pipe: that is its exit status's business, not a crash.
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify({ client_id: clientId, client_secret: clientSecret, ...(downstreamClientId ? { downstream_client_id: downstreamClientId } : {}) })}\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const said = () => {
        const text = output.split(clientSecret).join('[secret withheld]').trim().slice(-OUTPUT_KEPT_CHARS);
        return text ? `; it said: ${text}` : '';
      };
      child.once('error', cause => {
        clearTimeout(timer);
        reject(new SecretDeliveryError(`secrets_command could not be started (${cause.message})`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        const how = signal === 'SIGKILL' ? `was stopped after ${timeoutMs / 1000} s` : signal ? `was killed by ${signal}` : `exited ${code}`;
        reject(new SecretDeliveryError(`secrets_command \`${this.command}\` ${how}${said()}`));
      });
    });
  }
}

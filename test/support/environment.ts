/**
 * The environment every process a test starts gets (the server, the CLI,
 * terraform, cdktf, the main job): the caller's environment without anything
 * that would point it at real data or change how it behaves. A developer who
 * exported the documented PROCUREMENT_ADMIN_TOKEN or PROCUREMENT_SECRETS_DIR,
 * or a TF_LOG, must get the same run as CI, and their secrets must stay
 * untouched.
 *
 * jest's globalSetup (test/support/global-setup.ts) already strips these from
 * the test processes' own environment and points TMPDIR at this run's
 * temporary root; this function keeps every spawn explicit as well, so that
 * a test that sets a variable in-process cannot leak it into a child.
 */
import { tmpdir } from 'node:os';

/** Variables of the caller that must never reach a process a test starts. */
export const CALLER_ONLY = /^(PROCUREMENT_|TF_|CDKTF_)/;

/** The caller's environment minus CALLER_ONLY, with this run's TMPDIR, no update checks, and `extra` on top. */
export function testEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!CALLER_ONLY.test(name)) env[name] = value;
  return { ...env, TMPDIR: tmpdir(), CHECKPOINT_DISABLE: '1', ...extra };
}

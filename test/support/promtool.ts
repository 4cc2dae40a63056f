/**
 * The real Prometheus binaries (Debian package `prometheus`; .ci/run installs
 * it): a missing one fails the test that needs it, loudly, never skips it.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const PROMETHEUS_RULES_DIR = resolve(__dirname, '../../deploy/prometheus');

/** The absolute path of `name` on PATH; throws saying how to install it when there is none. */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not on PATH: install the Debian package 'prometheus' (apt-get install prometheus; .ci/run does it when it is missing)`);
  }
}

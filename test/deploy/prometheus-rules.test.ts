/**
 * deploy/prometheus/alerts.yml: valid for the real promtool, and every alert
 * fires on the series it is for and not on its near misses
 * (deploy/prometheus/alerts.test.yml).
 */
import { spawnSync } from 'node:child_process';
import { PROMETHEUS_RULES_DIR, prometheusBinary } from '../support/promtool';

function promtool(...args: string[]) {
  const run = spawnSync(prometheusBinary('promtool'), args, { cwd: PROMETHEUS_RULES_DIR, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

test('promtool check rules: the alert rules parse and their expressions are valid PromQL', () => {
  const { status, output } = promtool('check', 'rules', 'alerts.yml');
  expect(output).toContain('SUCCESS: 6 rules found');
  expect(status).toBe(0);
});

test('promtool test rules: each alert fires when it should and only then', () => {
  const { status, output } = promtool('test', 'rules', 'alerts.test.yml');
  expect(output).not.toContain('FAILED');
  expect(output).toContain('SUCCESS');
  expect(status).toBe(0);
});

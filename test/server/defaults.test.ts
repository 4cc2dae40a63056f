/** The server's settings: documented defaults, and a refusal naming the bad one. */
import { DEFAULTS, resolveConfig } from '../../lib/server/defaults';

test('defaults hold every limit of the token endpoint and the listener', () => {
  expect(resolveConfig({})).toMatchObject({
    clientRateLimit: 100,
    failureRateLimit: 20,
    tokenBodyLimitBytes: 16_384,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    keepAliveTimeoutMs: 5_000,
    maxConnections: 1_000,
    auditRetentionDays: 400,
    auditMaxEntries: 1_000_000,
    refusalRetentionDays: 30,
    retentionSweepSeconds: 60,
  });
  expect(resolveConfig({ clientRateLimit: null, failureRateLimit: null })).toMatchObject({ clientRateLimit: null, failureRateLimit: null });
  expect(DEFAULTS.headersTimeoutMs).toBeLessThanOrEqual(DEFAULTS.requestTimeoutMs);
});

test.each([
  [{ clientRateLimit: 0 }, 'invalid server setting clientRateLimit: must be a positive number of requests per second, or off, got 0'],
  [{ failureRateLimit: -1 }, 'invalid server setting failureRateLimit: must be a positive number of requests per second, or off, got -1'],
  [{ tokenBodyLimitBytes: 100 }, 'invalid server setting tokenBodyLimitBytes: must be an integer of at least 1024, got 100'],
  [{ maxConnections: 0 }, 'invalid server setting maxConnections: must be an integer of at least 1, got 0'],
  [{ auditMaxEntries: 1.5 }, 'invalid server setting auditMaxEntries: must be an integer of at least 1, got 1.5'],
  [{ headersTimeoutMs: 40_000 }, 'invalid server setting headersTimeoutMs: must not exceed requestTimeoutMs (30000), got 40000'],
])('fails when a limit is out of range: %j', (input, message) => {
  expect(() => resolveConfig(input)).toThrow(message);
});

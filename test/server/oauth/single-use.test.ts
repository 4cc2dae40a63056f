/** The client assertions' single-use memory: a jti is refused while live, accepted again once expired, and memory is bounded. */
import { ServerError } from '../../../lib/server/errors';
import { SingleUse } from '../../../lib/server/oauth/single-use';

const reused = () => new ServerError(401, 'invalid_client', 'used before');

function refusal(run: () => void): { status: number; code: string; retryAfter?: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    const e = error as ServerError;
    return { status: e.status, code: e.code, ...(e.options.headers ? { retryAfter: e.options.headers['retry-after'] } : {}) };
  }
}

test('fails with invalid_client for a key used again while live; the same key is accepted once it expired', () => {
  const used = new SingleUse(10, 15);
  expect(refusal(() => used.use('bot\u0000a', 2_000, 1_000, reused))).toBeNull();
  expect(refusal(() => used.use('bot\u0000a', 2_000, 1_999, reused))).toEqual({ status: 401, code: 'invalid_client' });
  expect(refusal(() => used.use('bot\u0000a', 3_000, 2_000, reused))).toBeNull();
});

test('fails with 503 and Retry-After past its bound, dropping expired keys first; memory never exceeds the bound', () => {
  const used = new SingleUse(3, 15);
  for (const key of ['a', 'b', 'c']) used.use(key, key === 'a' ? 1_500 : 5_000, 1_000, reused);
  expect(refusal(() => used.use('d', 5_000, 1_200, reused))).toEqual({ status: 503, code: 'temporarily_unavailable', retryAfter: '15' });
  expect(used.size).toBe(3);
  // 'a' has expired by 1,600: it makes room.
  expect(refusal(() => used.use('d', 5_000, 1_600, reused))).toBeNull();
  expect(used.size).toBe(3);
});

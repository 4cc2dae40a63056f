/** The AdminApiError a call was refused with; fails the test when the call succeeded or failed otherwise. */
import { AdminApiError } from '../../lib/client/admin-client';

export async function apiError(promise: Promise<unknown>): Promise<AdminApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AdminApiError) return e;
    throw e;
  }
  throw new Error('expected the admin API to refuse');
}

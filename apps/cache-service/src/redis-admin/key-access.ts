import type { Principal } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { classifyKey } from './key-namespaces.js';

/**
 * The Redis tools stay in the service's lane. Operators see and change only the service's own namespaces; keys of other
 * applications sharing the Redis, and `allowProtected`, need the admin role. Rate-limit and sign-in back-off counters
 * are never purged or re-timed by anyone: deleting them would lift the very limits that refused the caller.
 */
const ADMIN_ONLY = 'ADMIN_ONLY';
const NEVER_TOUCHED = 'RATE_LIMIT_KEYS';

const isAdmin = (actor: Principal): boolean => actor.kind === 'user' && actor.role === 'admin';

export const isNeverTouched = (key: string): boolean => classifyKey(key) === 'rate-limit';

/** May this actor see (list, inspect) this key? */
export const isVisibleTo = (actor: Principal, key: string): boolean => isAdmin(actor) || classifyKey(key) !== 'other';

export function assertMayAllowProtected(actor: Principal, allowProtected: boolean | undefined): void {
  if (allowProtected && !isAdmin(actor)) {
    throw AppError.forbidden('allowProtected needs the admin role', { reason: ADMIN_ONLY, field: 'allowProtected' });
  }
}

export function assertMayReadKey(actor: Principal, key: string): void {
  if (!isVisibleTo(actor, key)) {
    throw AppError.forbidden(`Key "${key}" is outside the service's namespaces: reading other applications' keys needs the admin role`, {
      reason: ADMIN_ONLY,
      field: 'key',
    });
  }
}

export function assertMayChangeKey(actor: Principal, key: string, allowProtected: boolean | undefined): void {
  assertMayAllowProtected(actor, allowProtected);
  if (isNeverTouched(key)) {
    throw AppError.forbidden(`Key "${key}" is a rate-limit or sign-in back-off counter, which the Redis tools never change`, {
      reason: NEVER_TOUCHED,
      field: 'key',
    });
  }
  if (!isVisibleTo(actor, key)) {
    throw AppError.forbidden(`Key "${key}" is outside the service's namespaces: changing other applications' keys needs the admin role`, {
      reason: ADMIN_ONLY,
      field: 'key',
    });
  }
}

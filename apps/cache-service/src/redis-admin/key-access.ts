import type { Principal } from '@ccc/shared-types';
import { ForbiddenReason, isAdmin } from '../access/privileges.js';
import { AppError } from '../common/app-error.js';
import { RedisKeys } from '../redis/redis-keys.js';
import { classifyKey, datasourceIdOf } from './key-namespaces.js';
import { capElement } from './value-preview.js';

/**
 * The Redis tools stay in the service's lane:
 * - operators and viewers see the service's own keys (the exact shapes of redis-keys.ts); other applications' keys in
 *   the same Redis, and `allowProtected`, need the admin role;
 * - keys of a datasource whose source is outside SOURCE_SCHEMAS (warmed before the allow-list, or whose schema was
 *   taken off it) are refused to everyone, admins included: they hold rows of tables no API may read (the service's
 *   own users and keys, the catalogs), in their values and in their names. The service deletes them itself (at start-up
 *   and by the cache janitor); `POST /api/admin/analytics/cache/invalidate` deletes them on demand;
 * - rate-limit and sign-in back-off counters and the audit outbox are never purged or re-timed by anyone: deleting them
 *   would lift the very limits that refused the caller, or lose audit rows waiting for PostgreSQL.
 */
const ADMIN_ONLY = ForbiddenReason.adminOnly;

/** Who asks, and which datasources' keys nobody may reach (their source is not allowed). */
export interface KeyAccess {
  actor: Principal;
  refusedDatasources: ReadonlySet<number>;
}

/** Why the Redis tools never change this key, or null. */
function neverTouchedReason(key: string): string | null {
  if (classifyKey(key) === 'rate-limit') return ForbiddenReason.rateLimitKeys;
  return key === RedisKeys.auditOutbox() ? ForbiddenReason.auditOutbox : null;
}

export const isNeverTouched = (key: string): boolean => neverTouchedReason(key) !== null;

/** A key of a datasource whose source is not allowed (any of its keys: entries, index sets, meta, counters, lock). */
export function isOfRefusedSource(access: KeyAccess, key: string): boolean {
  if (access.refusedDatasources.size === 0) return false;
  const namespace = classifyKey(key);
  if (!namespace.startsWith('analytics-') && namespace !== 'lock') return false;
  const datasourceId = datasourceIdOf(key);
  return datasourceId !== null && access.refusedDatasources.has(datasourceId);
}

/** May this actor see (list, inspect, find in samples and the slow log) this key? */
export const isVisibleTo = (access: KeyAccess, key: string): boolean =>
  !isOfRefusedSource(access, key) && (isAdmin(access.actor) || classifyKey(key) !== 'other');

export function assertMayAllowProtected(actor: Principal, allowProtected: boolean | undefined): void {
  if (allowProtected && !isAdmin(actor)) {
    throw AppError.forbidden('allowProtected needs the admin role', { reason: ADMIN_ONLY, field: 'allowProtected' });
  }
}

export function assertMayReadKey(access: KeyAccess, key: string): void {
  assertNotOfRefusedSource(access, key);
  if (!isVisibleTo(access, key)) {
    throw AppError.forbidden(
      `Key "${key}" is outside the service's namespaces: reading other applications' keys needs the admin role`,
      {
        reason: ADMIN_ONLY,
        field: 'key',
      },
    );
  }
}

export function assertMayChangeKey(access: KeyAccess, key: string, allowProtected: boolean | undefined): void {
  assertMayAllowProtected(access.actor, allowProtected);
  assertNotOfRefusedSource(access, key);
  const neverTouched = neverTouchedReason(key);
  if (neverTouched) {
    throw AppError.forbidden(
      `Key "${key}" is a rate-limit or sign-in back-off counter or the audit outbox, which the Redis tools never change`,
      {
        reason: neverTouched,
        field: 'key',
      },
    );
  }
  if (!isVisibleTo(access, key)) {
    throw AppError.forbidden(
      `Key "${key}" is outside the service's namespaces: changing other applications' keys needs the admin role`,
      {
        reason: ADMIN_ONLY,
        field: 'key',
      },
    );
  }
}

function assertNotOfRefusedSource(access: KeyAccess, key: string): void {
  if (!isOfRefusedSource(access, key)) return;
  // The key is not echoed: its name carries values of the rows it caches.
  const message = `The key belongs to datasource ${datasourceIdOf(key)}, whose source is outside SOURCE_SCHEMAS: its cached rows are readable by nobody`;
  throw new AppError('SOURCE_NOT_ALLOWED', message, {
    fields: [{ field: 'key', messages: [message] }],
    datasourceId: datasourceIdOf(key),
  });
}

/** A slow-log command for non-admins: its name, the key when it is one of the service's own, the rest redacted. */
export function redactedCommand(args: string[], access: KeyAccess): string[] {
  const [name = '', first, ...rest] = args;
  const keepKey = first !== undefined && classifyKey(first) !== 'other' && isVisibleTo(access, first);
  const hidden = rest.length + (first !== undefined && !keepKey ? 1 : 0);
  return [
    capElement(name, 120).text,
    ...(keepKey ? [capElement(first, 120).text] : []),
    ...(hidden > 0 ? [`[${hidden} argument(s) redacted]`] : []),
  ];
}

import { ROLE_PERMISSIONS, type Permission, type Principal, type Role } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';

/**
 * Privilege never grows: whoever manages users and keys can hand out only what they hold themselves, and only a
 * signed-in user can do it — an API key (a service's credential, easily copied) cannot create users or more keys.
 */
export const ForbiddenReason = {
  apiKeyNotAllowed: 'API_KEY_NOT_ALLOWED',
  permissionNotHeld: 'PERMISSION_NOT_HELD',
  notLocalSession: 'NOT_LOCAL_SESSION',
  adminOnly: 'ADMIN_ONLY',
  /** The Redis tools never change rate-limit and sign-in back-off counters, nor the audit outbox. */
  rateLimitKeys: 'RATE_LIMIT_KEYS',
  auditOutbox: 'AUDIT_OUTBOX',
  /** Identity-provider users cannot mint API keys (a key would outlive the provider's revocation of its creator). */
  externalNotAllowed: 'EXTERNAL_NOT_ALLOWED',
} as const;

export const ConflictReason = {
  lastAdmin: 'LAST_ADMIN',
  ownAccount: 'OWN_ACCOUNT',
} as const;

export function assertUserCredential(actor: Principal): void {
  if (actor.kind !== 'user') {
    throw AppError.forbidden('API keys cannot manage users or API keys: sign in as a user with users:manage:all', {
      reason: ForbiddenReason.apiKeyNotAllowed,
    });
  }
}

/** The actor must hold every listed permission (a role to grant, a key's permissions, the role of a user to manage). */
export function assertHolds(actor: Principal, permissions: readonly Permission[], what: string): void {
  const notHeld = permissions.filter((permission) => !actor.permissions.includes(permission));
  if (notHeld.length > 0) {
    throw AppError.forbidden(`${what} needs permissions you do not hold: ${notHeld.join(', ')}`, {
      reason: ForbiddenReason.permissionNotHeld,
      permissions: notHeld,
    });
  }
}

export const assertMayGrantRole = (actor: Principal, role: Role): void =>
  assertHolds(actor, ROLE_PERMISSIONS[role], `The role ${role}`);

/** Managing an account (password, role, status) is taking it over: only for actors holding everything it holds. */
export const assertMayManageRole = (actor: Principal, role: Role): void =>
  assertHolds(actor, ROLE_PERMISSIONS[role], `Managing a user with the role ${role}`);

export const isAdmin = (principal: Principal): boolean => principal.kind === 'user' && principal.role === 'admin';

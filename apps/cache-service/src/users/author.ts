import type { Principal } from '@ccc/shared-types';
import { SYSTEM_USER_ID } from './app-user.entity.js';

/**
 * The app_user a change is attributed to (created_by, approved_by, …): the signed-in user, or the system user for an
 * API key or an identity provider's user — those columns reference app_user, and the audit log keeps who it was.
 */
export const authorOf = (principal: Principal): string =>
  principal.kind === 'user' && !principal.external ? principal.id : SYSTEM_USER_ID;

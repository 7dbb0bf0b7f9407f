import { Injectable } from '@nestjs/common';
import {
  ROLE_PERMISSIONS,
  type ChangePasswordRequest,
  type LoginRequest,
  type LoginResponse,
  type Principal,
} from '@ccc/shared-types';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { isOutage } from '../common/infrastructure-errors.js';
import { LruCache } from '../common/lru-cache.js';
import type { AppUserEntity } from '../users/app-user.entity.js';
import { toUserSummary, UsersService } from '../users/users.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { ForbiddenReason } from '../access/privileges.js';
import { SignInThrottle, type SignInAttempt } from './sign-in-throttle.js';
import { TokenService, type VerifiedToken } from './token.service.js';

/**
 * How long this process trusts what it last read about an account (active, role, token version). Changes made through
 * this process take effect at once (its cache entry is dropped); another replica notices within this time.
 */
export const ACCOUNT_CACHE_MS = 5_000;
const ACCOUNT_CACHE_MAX = 10_000;

export interface RequestContext {
  ip: string | null;
  correlationId: string | null;
  /** Aborted when the client goes away: a password check still waiting for its turn is dropped. */
  signal?: AbortSignal;
}

interface CachedAccount {
  principal: Principal;
  tokenVersion: number;
}

/** An identity provider's user, as its verified token describes it. */
const externalPrincipal = (verified: VerifiedToken): Principal => ({
  kind: 'user',
  id: verified.subject,
  name: verified.name,
  role: verified.role,
  permissions: verified.permissions,
  external: true,
});

@Injectable()
export class AuthService {
  private readonly accounts = new LruCache<string, CachedAccount | null>(ACCOUNT_CACHE_MAX, ACCOUNT_CACHE_MS);
  /** Accounts last read as active, kept past ACCOUNT_CACHE_MS for a PostgreSQL outage (see localUser). */
  private readonly lastActive = new LruCache<string, CachedAccount>(ACCOUNT_CACHE_MAX, Infinity);

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly throttle: SignInThrottle,
  ) {
    users.onAccountChange((userId) => {
      this.accounts.delete(userId);
      this.lastActive.delete(userId);
      apiKeys.forgetCreatedBy(userId);
    });
  }

  async login(request: LoginRequest, context: RequestContext): Promise<LoginResponse> {
    const attempt = await this.throttle.reserveAttempt(request.email, context.ip);
    const user = await this.checked(attempt, () =>
      this.users.verifyCredentials(request.email, request.password, context.signal),
    );
    if (!user) {
      await this.audit.record({
        actor: null,
        action: 'auth.login',
        targetType: 'user',
        targetId: request.email.toLowerCase().slice(0, 200),
        outcome: 'failure',
        statusCode: 401,
        errorCode: 'UNAUTHENTICATED',
        ip: context.ip,
        correlationId: context.correlationId,
      });
      throw AppError.unauthenticated('Invalid email or password');
    }
    await attempt.succeeded();
    await this.users.recordLogin(user.id);
    const response = await this.signedIn({ ...user, lastLoginAt: new Date() });
    await this.audit.record({
      actor: { kind: 'user', id: user.id, name: user.email, role: user.role, permissions: response.user.permissions },
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
      statusCode: 200,
      ip: context.ip,
      correlationId: context.correlationId,
    });
    return response;
  }

  /** Ends every token of the signed-in account (all its sessions): a token cannot be taken back one by one. */
  async logout(principal: Principal): Promise<void> {
    this.assertLocalSession(principal, 'Signing out');
    await this.users.revokeTokens(principal.id);
  }

  /** Changes the signed-in user's password; earlier tokens stop working and the answer carries a fresh one. */
  async changePassword(
    principal: Principal,
    request: ChangePasswordRequest,
    context: RequestContext,
  ): Promise<LoginResponse> {
    this.assertLocalSession(principal, 'Changing a password');
    // A stolen token must not become a way to guess the password: wrong current passwords back off like sign-ins.
    const attempt = await this.throttle.reserveAttempt(principal.name, context.ip);
    const user = await this.checked(attempt, () =>
      this.users.changeOwnPassword(principal.id, request.currentPassword, request.newPassword, context.signal),
    );
    if (!user) throw AppError.invalidField('currentPassword', 'currentPassword is not the current password');
    await attempt.succeeded();
    return this.signedIn(user);
  }

  /**
   * Resolves a bearer token or an API key to a principal, or throws 401 (or 429 when this client sent too many bad
   * credentials). A credential this process knows answers from memory; an unknown API key is looked up only after the
   * client's budget of bad credentials is checked, so random keys cannot turn into database lookups. `clientIp` is
   * asked only then.
   */
  async authenticate(
    credentials: { bearer?: string; apiKey?: string },
    clientIp: () => string | null,
  ): Promise<Principal> {
    let principal: Principal | null = null;
    if (credentials.apiKey) {
      principal = await this.apiKeys.authenticate(credentials.apiKey, () =>
        this.throttle.assertLookupAllowed(clientIp()),
      );
    } else if (credentials.bearer) {
      const verified = await this.tokens.verify(credentials.bearer);
      if (verified && !verified.local) {
        principal = externalPrincipal(verified);
      } else if (verified) {
        // Only a token signed with the local secret gets here, so no budget is needed before reading its account.
        principal = await this.localUser(verified.subject, verified.version!);
      }
    }
    if (!principal) {
      await this.throttle.credentialRejected(clientIp());
      throw AppError.unauthenticated(
        credentials.apiKey || credentials.bearer
          ? 'Invalid or expired credentials'
          : 'Missing credentials: send Authorization: Bearer <token> or X-API-Key',
      );
    }
    return principal;
  }

  /**
   * What authenticate would answer for a credential this process has checked recently (a key read, a token verified
   * and, for a local token, its account read within the cache times), without waiting for anything: the guard of
   * every request answers from memory when it can. Undefined when authenticate must decide — a lookup, a refusal
   * (which spends the client's budget of bad credentials) or an account to read again.
   */
  knownPrincipal(credentials: { bearer?: string; apiKey?: string }): Principal | undefined {
    if (credentials.apiKey) return this.apiKeys.known(credentials.apiKey);
    if (!credentials.bearer) return undefined;
    const verified = this.tokens.known(credentials.bearer);
    if (!verified) return undefined;
    if (!verified.local) return externalPrincipal(verified);
    const account = this.accounts.get(verified.subject);
    return account && account.tokenVersion === verified.version ? account.principal : undefined;
  }

  /** A local token stands for its account as it is now: active, its current role, and not revoked since it was issued. */
  private async localUser(id: string, tokenVersion: number): Promise<Principal | null> {
    let account = this.accounts.get(id);
    // A token newer than what this process knows was issued after a change made elsewhere: read the account again.
    if (account === undefined || (account && tokenVersion > account.tokenVersion)) {
      let user: Awaited<ReturnType<UsersService['findActive']>>;
      try {
        user = await this.users.findActive(id);
      } catch (error) {
        // PostgreSQL away: an account read as active keeps its access until it can be read again (nothing can disable
        // it or revoke its tokens meanwhile), so warm data stays readable through the outage.
        const last = this.lastActive.get(id);
        if (last && isOutage(error)) return last.tokenVersion === tokenVersion ? last.principal : null;
        throw error;
      }
      account = user
        ? {
            principal: {
              kind: 'user',
              id: user.id,
              name: user.email,
              role: user.role,
              permissions: [...ROLE_PERMISSIONS[user.role]],
            },
            tokenVersion: user.tokenVersion,
          }
        : null;
      this.accounts.set(id, account);
      if (account) this.lastActive.set(id, account);
      else this.lastActive.delete(id);
    }
    return account && account.tokenVersion === tokenVersion ? account.principal : null;
  }

  private async signedIn(user: AppUserEntity): Promise<LoginResponse> {
    const { token, expiresIn } = await this.tokens.issue(user);
    return { accessToken: token, tokenType: 'Bearer', expiresIn, user: toUserSummary(user) };
  }

  /** Runs a password check of a reserved attempt; a check that never ran (busy, client gone) gives the attempt back. */
  private async checked<T>(attempt: SignInAttempt, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (error) {
      await attempt.notChecked();
      throw error;
    }
  }

  private assertLocalSession(principal: Principal, what: string): void {
    if (principal.kind !== 'user' || principal.external) {
      throw AppError.forbidden(
        `${what} is for users signed in here: ${principal.kind === 'api_key' ? 'revoke an API key with DELETE /api/admin/api-keys/{id}' : "an identity provider's tokens are revoked there"}`,
        { reason: ForbiddenReason.notLocalSession },
      );
    }
  }
}

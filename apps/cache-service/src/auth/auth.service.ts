import { Injectable } from '@nestjs/common';
import { ROLE_PERMISSIONS, type LoginRequest, type LoginResponse, type Principal } from '@ccc/shared-types';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { toUserSummary, UsersService } from '../users/users.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { TokenService } from './token.service.js';

// A disabled user's token stops working within this time on every replica.
const ACTIVE_USER_CACHE_MS = 5_000;

export interface RequestContext {
  ip: string | null;
  correlationId: string | null;
}

@Injectable()
export class AuthService {
  private readonly activeUsers = new Map<string, { principal: Principal | null; at: number }>();

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  async login(request: LoginRequest, context: RequestContext): Promise<LoginResponse> {
    const user = await this.users.verifyCredentials(request.email, request.password);
    if (!user) {
      await this.audit.record({
        actor: null,
        action: 'auth.login',
        targetType: 'user',
        targetId: request.email.toLowerCase().slice(0, 200),
        outcome: 'failure',
        statusCode: 401,
        errorCode: 'UNAUTHENTICATED',
        ...context,
      });
      throw AppError.unauthenticated('Invalid email or password');
    }
    await this.users.recordLogin(user.id);
    const { token, expiresIn } = await this.tokens.issue(user);
    const summary = toUserSummary({ ...user, lastLoginAt: new Date() });
    await this.audit.record({
      actor: { kind: 'user', id: user.id, name: user.email, role: user.role, permissions: summary.permissions },
      action: 'auth.login',
      targetType: 'user',
      targetId: user.id,
      outcome: 'success',
      statusCode: 200,
      ...context,
    });
    return { accessToken: token, tokenType: 'Bearer', expiresIn, user: summary };
  }

  /** Resolves a bearer token or an API key to a principal; null means "not authenticated". */
  async authenticate(credentials: { bearer?: string; apiKey?: string }): Promise<Principal | null> {
    if (credentials.apiKey) return this.apiKeys.authenticate(credentials.apiKey);
    if (!credentials.bearer) return null;
    const verified = await this.tokens.verify(credentials.bearer);
    if (!verified) return null;
    if (!verified.local) {
      return { kind: 'user', id: verified.subject, name: verified.name, role: verified.role, permissions: verified.permissions };
    }
    return this.localUser(verified.subject);
  }

  /** Local tokens follow the account: a disabled user or a changed role takes effect at once. */
  private async localUser(id: string): Promise<Principal | null> {
    const cached = this.activeUsers.get(id);
    if (cached && Date.now() - cached.at < ACTIVE_USER_CACHE_MS) return cached.principal;
    const user = await this.users.findActive(id);
    const principal: Principal | null = user
      ? { kind: 'user', id: user.id, name: user.email, role: user.role, permissions: [...ROLE_PERMISSIONS[user.role]] }
      : null;
    this.activeUsers.set(id, { principal, at: Date.now() });
    if (this.activeUsers.size > 10_000) this.activeUsers.clear();
    return principal;
  }

  forget(userId: string): void {
    this.activeUsers.delete(userId);
  }
}

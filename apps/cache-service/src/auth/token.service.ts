import { Inject, Injectable } from '@nestjs/common';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '@ccc/shared-types';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

export const LOCAL_ISSUER = 'cache-command-center';

// Verifying an HMAC per request costs as much as the rest of a cached query; a token seen recently is
// trusted until this age or its own expiry. Whether the account is still active is checked separately.
const VERIFIED_CACHE_MS = 30_000;
const VERIFIED_CACHE_MAX = 10_000;

export interface VerifiedToken {
  subject: string;
  local: boolean;
  name: string;
  role: Role | null;
  permissions: Permission[];
}

/** Issues local HS256 tokens and verifies tokens from this service or an identity provider (JWKS). */
@Injectable()
export class TokenService {
  private readonly secret: Uint8Array;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly verified = new Map<string, { token: VerifiedToken; until: number }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.secret = new TextEncoder().encode(config.auth.jwtSecret);
    this.jwks = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
  }

  async issue(user: { id: string; email: string; role: Role }): Promise<{ token: string; expiresIn: number }> {
    const expiresIn = this.config.auth.tokenTtlSeconds;
    let builder = new SignJWT({ email: user.email, role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`);
    if (this.config.auth.audience) builder = builder.setAudience(this.config.auth.audience);
    return { token: await builder.sign(this.secret), expiresIn };
  }

  /** Returns null for any token that is malformed, expired, or not signed by a trusted key. */
  async verify(token: string): Promise<VerifiedToken | null> {
    const cached = this.verified.get(token);
    if (cached && cached.until > Date.now()) return cached.token;
    const result = await this.verifyUncached(token);
    if (result) {
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
      this.verified.set(token, { token: result.token, until: Math.min(Date.now() + VERIFIED_CACHE_MS, result.expiresAt) });
    }
    return result?.token ?? null;
  }

  private async verifyUncached(token: string): Promise<{ token: VerifiedToken; expiresAt: number } | null> {
    const payload = (await this.verifyWithSecret(token)) ?? (await this.verifyWithJwks(token));
    if (!payload?.sub) return null;
    const local = payload.iss === LOCAL_ISSUER;
    const role = ROLES.includes(payload.role as Role) ? (payload.role as Role) : null;
    return {
      token: {
        subject: payload.sub,
        local,
        name: String(payload.email ?? payload.preferred_username ?? payload.sub),
        role,
        permissions: permissionsFromClaims(payload, role),
      },
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : Date.now() + VERIFIED_CACHE_MS,
    };
  }

  private async verifyWithSecret(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        ...(this.config.auth.audience ? { audience: this.config.auth.audience } : {}),
      });
      return payload;
    } catch {
      return null;
    }
  }

  private async verifyWithJwks(token: string): Promise<JWTPayload | null> {
    if (!this.jwks) return null;
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        ...(this.config.auth.issuer ? { issuer: this.config.auth.issuer } : {}),
        ...(this.config.auth.audience ? { audience: this.config.auth.audience } : {}),
      });
      return payload;
    } catch {
      return null;
    }
  }
}

/** Permissions of an external token: an explicit `permissions` array, a `scope` string, else its role's. */
export function permissionsFromClaims(payload: JWTPayload, role: Role | null): Permission[] {
  const known = (values: unknown[]): Permission[] =>
    values.filter((value): value is Permission => PERMISSIONS.includes(value as Permission));
  if (Array.isArray(payload.permissions)) return known(payload.permissions);
  if (typeof payload.scope === 'string') return known(payload.scope.split(/\s+/));
  return role ? [...ROLE_PERMISSIONS[role]] : [];
}

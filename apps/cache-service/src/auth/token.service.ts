import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES, type Permission, type Role } from '@ccc/shared-types';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { LruCache } from '../common/lru-cache.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

export const LOCAL_ISSUER = 'cache-command-center';

// Verifying an HMAC per request costs as much as the rest of a cached query; a token seen recently is
// trusted until this age or its own expiry. Whether the account is still active is checked separately.
const VERIFIED_CACHE_MS = 30_000;
const VERIFIED_CACHE_MAX = 10_000;

export interface VerifiedToken {
  /** The account id: a local user's, or for an identity provider's user a UUID derived from its issuer and subject. */
  subject: string;
  /** Issued by this service (HS256, local issuer): its account and `version` are checked on every use. */
  local: boolean;
  /** The account's token_version when the token was issued (local tokens only). */
  version: number | null;
  name: string;
  role: Role | null;
  permissions: Permission[];
}

/** Issues local HS256 tokens and verifies tokens from this service or an identity provider (JWKS). */
@Injectable()
export class TokenService {
  private readonly secret: Uint8Array;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly verified = new LruCache<string, VerifiedToken>(VERIFIED_CACHE_MAX, VERIFIED_CACHE_MS);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.secret = new TextEncoder().encode(config.auth.jwtSecret);
    this.jwks = config.auth.jwksUrl ? createRemoteJWKSet(new URL(config.auth.jwksUrl)) : null;
  }

  async issue(user: {
    id: string;
    email: string;
    role: Role;
    tokenVersion: number;
  }): Promise<{ token: string; expiresIn: number }> {
    const expiresIn = this.config.auth.tokenTtlSeconds;
    let builder = new SignJWT({ email: user.email, role: user.role, ver: user.tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`);
    if (this.config.auth.audience) builder = builder.setAudience(this.config.auth.audience);
    return { token: await builder.sign(this.secret), expiresIn };
  }

  /**
   * Returns null for any token that is malformed, expired, without `exp`, or not signed by a trusted key. HS256 tokens are
   * verified with the local secret only and must carry the local issuer and an account version; every other algorithm
   * goes to the identity provider's JWKS (when configured) — only those tokens are external.
   */
  async verify(token: string): Promise<VerifiedToken | null> {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const result = await this.verifyUncached(token);
    if (result) this.verified.set(token, result.token, result.expiresAt);
    return result?.token ?? null;
  }

  /** A token verified within VERIFIED_CACHE_MS (and not expired), without waiting for anything; else undefined. */
  known(token: string): VerifiedToken | undefined {
    return this.verified.get(token);
  }

  private async verifyUncached(token: string): Promise<{ token: VerifiedToken; expiresAt: number } | null> {
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      return null;
    }
    const local = algorithm === 'HS256';
    const payload = local ? await this.verifyWithSecret(token) : await this.verifyWithJwks(token);
    if (!payload?.sub || typeof payload.exp !== 'number') return null;
    const version = local ? payload.ver : null;
    if (local && !(typeof version === 'number' && Number.isInteger(version) && version >= 0)) return null;
    const role = ROLES.includes(payload.role as Role) ? (payload.role as Role) : null;
    return {
      token: {
        subject: local ? payload.sub : externalUserId(payload.iss, payload.sub),
        local,
        version: local ? (version as number) : null,
        name: String(payload.email ?? payload.preferred_username ?? payload.sub),
        role,
        permissions: permissionsFromClaims(payload, role),
      },
      // An external token is trusted no longer than its maximum age either (verifyWithJwks requires `iat`).
      expiresAt: Math.min(
        payload.exp * 1000,
        local ? Infinity : (payload.iat! + this.config.auth.maxExternalTokenAgeSeconds) * 1000,
      ),
    };
  }

  private async verifyWithSecret(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: LOCAL_ISSUER,
        requiredClaims: ['exp', 'sub'],
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
      // A provider's token is refused past JWT_MAX_TOKEN_AGE_SECONDS, whatever its `exp`: a long-lived token stolen from
      // a client would otherwise be good for as long as the provider chose.
      const { payload } = await jwtVerify(token, this.jwks, {
        requiredClaims: ['exp', 'sub', 'iat'],
        maxTokenAge: this.config.auth.maxExternalTokenAgeSeconds,
        ...(this.config.auth.issuer ? { issuer: this.config.auth.issuer } : {}),
        ...(this.config.auth.audience ? { audience: this.config.auth.audience } : {}),
      });
      return payload;
    } catch {
      return null;
    }
  }
}

/** A stable UUID per identity-provider user, so the audit trail (a UUID column) can name and filter them. */
export function externalUserId(issuer: string | undefined, subject: string): string {
  const hex = createHash('sha256')
    .update(`${issuer ?? ''}\n${subject}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Permissions of an external token: an explicit `permissions` array, a `scope` string, else its role's. */
export function permissionsFromClaims(payload: JWTPayload, role: Role | null): Permission[] {
  const known = (values: unknown[]): Permission[] =>
    values.filter((value): value is Permission => PERMISSIONS.includes(value as Permission));
  if (Array.isArray(payload.permissions)) return known(payload.permissions);
  if (typeof payload.scope === 'string') return known(payload.scope.split(/\s+/));
  return role ? [...ROLE_PERMISSIONS[role]] : [];
}

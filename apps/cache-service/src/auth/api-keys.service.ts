import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  ROLE_PERMISSIONS,
  type ApiKeySummary,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type Principal,
} from '@ccc/shared-types';
import { IsNull, type Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { isOutage } from '../common/infrastructure-errors.js';
import { LruCache } from '../common/lru-cache.js';
import { SingleFlight } from '../common/single-flight.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { assertHolds, assertUserCredential, ForbiddenReason } from '../access/privileges.js';

const KEY_PREFIX = 'ccc_';

function toSummary(key: ApiKeyEntity): ApiKeySummary {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    permissions: key.permissions,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

// Services call with their key thousands of times a second: look each key up (and record its use) at most this often.
// A key revoked (or its creator disabled) through this process stops at once; on another replica within AUTH_CACHE_MS.
// The recent answers are found by the key as presented, so that a known key costs no SHA-256 per request: the raw key
// stays in this process's memory for AUTH_CACHE_MS at most, as a bearer token does in TokenService's cache.
const AUTH_CACHE_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;
const LAST_USED_EVERY_MS = 60_000;
// A key seen valid this recently is looked up again without asking the client's bad-credential budget first, so a
// service sharing an address with someone guessing keys keeps working.
const KNOWN_GOOD_MS = 10 * 60_000;

interface CachedKey {
  /** null: the key is revoked, expired or its creator disabled (a known "no" is cached too). */
  principal: Principal | null;
  creatorId: string | null;
}

@Injectable()
export class ApiKeysService {
  private readonly recent = new LruCache<string, CachedKey>(AUTH_CACHE_MAX, AUTH_CACHE_MS);
  private readonly lastUsedWritten = new LruCache<string, true>(AUTH_CACHE_MAX, LAST_USED_EVERY_MS);
  private readonly knownGood = new LruCache<string, true>(AUTH_CACHE_MAX, KNOWN_GOOD_MS);
  /** Keys last read as valid, kept past AUTH_CACHE_MS: they keep working while PostgreSQL is away (see authenticate). */
  private readonly lastValid = new LruCache<string, CachedKey>(AUTH_CACHE_MAX, Infinity);
  /** Callers presenting a key whose cache entry just expired share one lookup. */
  private readonly lookups = new SingleFlight<string, Principal | null>();
  /** Counts revocations, so that a lookup that overlapped one does not cache what it read. */
  private changes = 0;

  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async list(): Promise<ApiKeySummary[]> {
    return (await this.keys.find({ order: { createdAt: 'DESC' } })).map(toSummary);
  }

  /**
   * A key holds at most what its creator holds, and never user administration (the DTO refuses users:manage:all).
   * Only a user of this service mints keys: a key answers for its creator's permissions *today*, which the service
   * knows only for its own accounts — an identity provider's user could be disabled there and the key would live on.
   */
  async create(request: CreateApiKeyRequest, creator: Principal): Promise<CreatedApiKey> {
    assertUserCredential(creator);
    if (creator.external) {
      throw AppError.forbidden(
        "API keys are minted by users of this service: an identity provider's user cannot answer for a key after it leaves",
        {
          reason: ForbiddenReason.externalNotAllowed,
        },
      );
    }
    const permissions = [...new Set(request.permissions)];
    if (permissions.includes('users:manage:all'))
      throw AppError.invalidField('permissions', 'an API key cannot hold users:manage:all');
    assertHolds(creator, permissions, 'An API key with these permissions');
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw AppError.invalidField('expiresAt', 'expiresAt must be in the future');
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.save(
      this.keys.create({
        name: request.name,
        prefix: key.slice(0, 12),
        keyHash: hashKey(key),
        permissions,
        createdBy: creator.id,
        expiresAt,
      }),
    );
    return { ...toSummary(saved), key };
  }

  async revoke(id: string, actor: Principal): Promise<ApiKeySummary> {
    assertUserCredential(actor);
    const key = await this.keys.findOne({ where: { id } });
    if (!key) throw AppError.notFound('API key', id);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.keys.save(key);
    }
    this.forget((cached) => cached.principal?.id === id);
    return toSummary(key);
  }

  /** A user was disabled, demoted or changed: their keys are read again on next use. */
  forgetCreatedBy(userId: string): void {
    this.forget((cached) => cached.creatorId === userId);
  }

  private forget(predicate: (cached: CachedKey) => boolean): void {
    this.recent.deleteWhere(predicate);
    this.lastValid.deleteWhere(predicate);
    // A lookup in progress may have read the key before the change: it must not answer later callers or be cached.
    this.lookups.forgetAll();
    this.changes += 1;
  }

  /**
   * The principal of a presented key, or null when it is unknown, revoked, expired, or its creator is disabled.
   * `beforeLookup` runs when the database is about to be asked about a key not seen valid lately (it may refuse with 429).
   */
  async authenticate(presented: string, beforeLookup: () => Promise<void>): Promise<Principal | null> {
    if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
    const cached = this.recent.get(presented);
    if (cached !== undefined) return cached.principal;
    const hash = hashKey(presented);
    if (this.knownGood.get(hash) === undefined) await beforeLookup();
    return this.lookups.run(hash, () => this.lookUp(presented, hash));
  }

  /**
   * The principal of a key read within AUTH_CACHE_MS, without waiting for anything; undefined when authenticate must
   * decide (unknown, refused or expired from the cache). The query path's guard answers from this.
   */
  known(presented: string): Principal | undefined {
    return this.recent.get(presented)?.principal ?? undefined;
  }

  /** The key from PostgreSQL, remembered (a "no" too) unless a revocation happened meanwhile. */
  private async lookUp(presented: string, hash: string): Promise<Principal | null> {
    const changes = this.changes;
    let loaded: ApiKeyEntity | null;
    try {
      loaded = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() }, relations: { creator: true } });
    } catch (error) {
      // PostgreSQL away: a key read as valid keeps working until it can be read again (nothing can revoke it meanwhile).
      const last = this.lastValid.get(hash);
      if (last && isOutage(error)) return last.principal;
      throw error;
    }
    const key = loaded;
    const creator = key?.creator;
    // A key attributed to the system user was minted by an API key or an identity provider's user (before either was
    // refused): nobody answers for it (migration KeysWithoutCreator revoked those keys; this keeps any other out too).
    const valid =
      key &&
      creator &&
      !creator.isSystem &&
      creator.isActive &&
      !(key.expiresAt && key.expiresAt.getTime() <= Date.now());
    if (!valid) {
      this.recent.set(presented, { principal: null, creatorId: creator?.id ?? null });
      this.knownGood.delete(hash);
      this.lastValid.delete(hash);
      return null;
    }
    this.knownGood.set(hash, true);
    const creatorHolds = ROLE_PERMISSIONS[creator.role];
    const permissions = key.permissions.filter(
      (permission) => permission !== 'users:manage:all' && creatorHolds.includes(permission),
    );
    const principal: Principal = { kind: 'api_key', id: key.id, name: key.name, role: null, permissions };
    // A revocation while this lookup ran may concern this key: the next call reads it again.
    if (changes === this.changes) {
      this.recent.set(presented, { principal, creatorId: creator.id });
      this.lastValid.set(hash, { principal, creatorId: creator.id });
    }
    if (this.lastUsedWritten.get(key.id) === undefined) {
      this.lastUsedWritten.set(key.id, true);
      // Best effort; a lost update of the last-used time is harmless.
      void this.keys.update({ id: key.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    return principal;
  }
}

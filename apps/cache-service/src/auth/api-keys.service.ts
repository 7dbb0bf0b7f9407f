import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ApiKeySummary, CreateApiKeyRequest, CreatedApiKey, Principal } from '@ccc/shared-types';
import { IsNull, type Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { SYSTEM_USER_ID } from '../users/app-user.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';

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

// Services call with their key thousands of times a second: look each key up (and record its use)
// at most this often. A revoked key stops working within AUTH_CACHE_MS.
const AUTH_CACHE_MS = 5_000;
const LAST_USED_EVERY_MS = 60_000;

@Injectable()
export class ApiKeysService {
  private readonly recent = new Map<string, { principal: Principal | null; at: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  async list(): Promise<ApiKeySummary[]> {
    return (await this.keys.find({ order: { createdAt: 'DESC' } })).map(toSummary);
  }

  async create(request: CreateApiKeyRequest, createdBy: Principal): Promise<CreatedApiKey> {
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw AppError.invalidField('expiresAt', 'expiresAt must be in the future');
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.save(
      this.keys.create({
        name: request.name,
        prefix: key.slice(0, 12),
        keyHash: hashKey(key),
        permissions: [...new Set(request.permissions)],
        createdBy: createdBy.kind === 'user' ? createdBy.id : SYSTEM_USER_ID,
        expiresAt,
      }),
    );
    return { ...toSummary(saved), key };
  }

  async revoke(id: string): Promise<ApiKeySummary> {
    const key = await this.keys.findOne({ where: { id } });
    if (!key) throw AppError.notFound('API key', id);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.keys.save(key);
    }
    this.recent.clear();
    return toSummary(key);
  }

  /** The principal of a presented key, or null when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<Principal | null> {
    if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
    const hash = hashKey(presented);
    const cached = this.recent.get(hash);
    if (cached && Date.now() - cached.at < AUTH_CACHE_MS) return cached.principal;
    const key = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() } });
    const valid = key && !(key.expiresAt && key.expiresAt.getTime() <= Date.now());
    const principal: Principal | null = valid ? { kind: 'api_key', id: key.id, name: key.name, role: null, permissions: key.permissions } : null;
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(hash, { principal, at: Date.now() });
    if (valid && Date.now() - (this.lastUsedWritten.get(key.id) ?? 0) > LAST_USED_EVERY_MS) {
      this.lastUsedWritten.set(key.id, Date.now());
      // Best effort; a lost update of the last-used time is harmless.
      void this.keys.update({ id: key.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    }
    return principal;
  }

}

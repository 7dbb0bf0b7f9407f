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

@Injectable()
export class ApiKeysService {
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
    return toSummary(key);
  }

  /** The principal of a presented key, or null when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<Principal | null> {
    if (!presented.startsWith(KEY_PREFIX) || presented.length > 200) return null;
    const key = await this.keys.findOne({ where: { keyHash: hashKey(presented), revokedAt: IsNull() } });
    if (!key || (key.expiresAt && key.expiresAt.getTime() <= Date.now())) return null;
    // Best effort; a lost update of the last-used time is harmless.
    void this.keys.update({ id: key.id }, { lastUsedAt: new Date() }).catch(() => undefined);
    return { kind: 'api_key', id: key.id, name: key.name, role: null, permissions: key.permissions };
  }
}

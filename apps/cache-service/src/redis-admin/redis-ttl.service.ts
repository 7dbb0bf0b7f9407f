import { Injectable } from '@nestjs/common';
import type { Principal, RedisTtlRequest, RedisTtlResponse } from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { assertMayChangeKey } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { classifyKey, isProtectedKey } from './key-namespaces.js';
import { RedisAdminRepository } from './redis-admin.repository.js';

/** Seconds as Redis TTL reports them: -1 no expiry, -2 no such key. */
export const ttlSecondsOf = (ttlMs: number): number => (ttlMs < 0 ? ttlMs : Math.ceil(ttlMs / 1000));

/** Sets or removes a key's TTL, refusing protected keys unless asked and keys of refused sources. */
@Injectable()
export class RedisTtlService {
  constructor(
    private readonly redis: RedisAdminRepository,
    private readonly access: KeyAccessService,
  ) {}

  async setTtl(request: RedisTtlRequest, actor: Principal): Promise<RedisTtlResponse> {
    const persist = request.persist === true;
    if ((request.ttlSeconds === undefined) === !persist) {
      throw AppError.invalidField(
        'ttlSeconds',
        'give either ttlSeconds (a positive number of seconds) or persist: true',
      );
    }
    assertMayChangeKey(await this.access.of(actor), request.key, request.allowProtected);
    if (isProtectedKey(request.key) && !request.allowProtected) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Key "${request.key}" is in the protected namespace ${classifyKey(request.key)}; changing its TTL can break the service. Set allowProtected to do it anyway.`,
        {
          fields: [{ field: 'key', messages: [`key is protected (${classifyKey(request.key)})`] }],
          namespace: classifyKey(request.key),
        },
      );
    }
    const previous = await this.redis.pttl(request.key);
    if (previous === -2) throw AppError.notFound('Key', request.key);
    if (persist) {
      await this.redis.persist(request.key);
    } else if (!(await this.redis.expire(request.key, request.ttlSeconds!))) {
      throw AppError.notFound('Key', request.key);
    }
    const now = await this.redis.pttl(request.key);
    if (now === -2) throw AppError.notFound('Key', request.key);
    const result = { key: request.key, previousTtlSeconds: ttlSecondsOf(previous), ttlSeconds: ttlSecondsOf(now) };
    return result;
  }
}

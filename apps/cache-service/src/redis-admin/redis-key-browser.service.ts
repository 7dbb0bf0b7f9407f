import { Injectable } from '@nestjs/common';
import type {
  Principal,
  RedisKeyInspection,
  RedisKeysPage,
  RedisKeysQuery,
  RedisValuePreview,
} from '@ccc/shared-types';
import { AppError } from '../common/app-error.js';
import { assertMayReadKey, isVisibleTo } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { classifyKey, isProtectedKey } from './key-namespaces.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { ttlSecondsOf } from './redis-ttl.service.js';
import { globProblem } from './redis-glob.js';
import { advance, formatCursor, parseCursor, takeFromBatch } from './scan-cursor.js';
import { bytesToText, capElement, decodeCacheEntry, elementsToFetch, PREVIEW_LIMITS } from './value-preview.js';

/** Keys one key-browser request may make Redis examine (sum of SCAN COUNTs): a huge keyspace answers "more", fast. */
export const EXAMINE_CAP = 10_000;

function assertPattern(pattern: string, field = 'pattern'): void {
  const problem = globProblem(pattern);
  if (problem) throw AppError.invalidField(field, `${field}: ${problem}`);
}

/** The key browser (SCAN by pattern, bounded) and the inspector (a key's facts and a size-capped value preview). */
@Injectable()
export class RedisKeyBrowserService {
  constructor(
    private readonly redis: RedisAdminRepository,
    private readonly access: KeyAccessService,
  ) {}

  async scanKeys(query: RedisKeysQuery, actor: Principal): Promise<RedisKeysPage> {
    const pattern = query.pattern ?? '*';
    assertPattern(pattern);
    const count = query.count ?? 100;
    const nodes = this.redis.nodes();
    const access = await this.access.of(actor);
    let position = parseCursor(query.cursor, nodes.length);
    if (!position) throw AppError.invalidField('cursor', 'cursor is not one this endpoint returned');

    const baseScanCount = Math.min(1000, Math.max(100, count));
    let scanCount = baseScanCount;
    const found = new Map<string, number>();
    let examined = 0;
    while (position && found.size < count && examined + scanCount <= EXAMINE_CAP) {
      // A marked cursor repeats the one-bucket call that a page ended inside (below).
      if (position.after) scanCount = 1;
      const page = await this.redis.scan(nodes[position.node], position.cursor, {
        match: pattern,
        count: scanCount,
        type: query.type,
      });
      examined += scanCount;
      const accept = (key: string): boolean => !found.has(key) && isVisibleTo(access, key);
      const room = count - found.size;
      const fresh = position.after ? [] : [...new Set(page.keys)].filter(accept);
      if (!position.after && fresh.length <= room) {
        for (const key of fresh) found.set(key, position.node);
        position = advance(position, page.cursor, nodes.length);
        scanCount = baseScanCount;
        continue;
      }
      if (!position.after && scanCount > 1) {
        // The reply holds more keys than the page has room for. A page never ends inside a reply when it can help it:
        // the same SCAN call repeated on the next request may return other keys once Redis resized its table (other
        // clients write meanwhile), and the keys after a mark would not be the ones left over — some would be
        // skipped. Asking the same cursor for fewer buckets returns a prefix of the walk that fits.
        scanCount = Math.max(1, Math.floor((scanCount * room) / fresh.length));
        continue;
      }
      if (!position.after && found.size > 0) break;
      // A single bucket holds more keys than the page has room for (a page of a few keys), or the cursor carries the
      // mark of such a split: the page ends after a marked key, and the next one repeats this one-bucket call.
      const batch = takeFromBatch(page.keys, position.after, room, accept);
      for (const key of batch.taken) found.set(key, position.node);
      position = batch.stoppedAfter
        ? { ...position, after: batch.stoppedAfter }
        : advance(position, page.cursor, nodes.length);
      scanCount = baseScanCount;
    }

    const byNode = new Map<number, string[]>();
    for (const [key, node] of found) byNode.set(node, [...(byNode.get(node) ?? []), key]);
    const facts = new Map<string, { type: string; ttlMs: number }>();
    await Promise.all(
      [...byNode].map(async ([node, keys]) => {
        const nodeFacts = await this.redis.keyFacts(nodes[node], keys);
        keys.forEach((key, index) => facts.set(key, nodeFacts[index]));
      }),
    );
    return {
      keys: [...found.keys()].map((key) => {
        const fact = facts.get(key) ?? { type: 'none', ttlMs: -2 };
        return {
          key,
          type: fact.type,
          ttlSeconds: ttlSecondsOf(fact.ttlMs),
          namespace: classifyKey(key),
          protected: isProtectedKey(key),
        };
      }),
      cursor: formatCursor(position, nodes.length),
      more: position !== null,
      examined,
      examineCap: EXAMINE_CAP,
    };
  }

  async inspect(key: string, actor: Principal): Promise<RedisKeyInspection> {
    assertMayReadKey(await this.access.of(actor), key);
    const facts = await this.redis.describeKey(key);
    if (facts.type === 'none') throw AppError.notFound('Key', key);
    const length = await this.redis.lengthOf(key, facts.type);
    const namespace = classifyKey(key);
    const preview = await this.preview(key, facts.type, length, facts.memoryBytes);
    const decoded =
      namespace === 'analytics-entry' && preview.kind === 'string' && !preview.binary
        ? decodeCacheEntry(preview.text, preview.truncated)
        : null;
    return {
      key,
      type: facts.type,
      namespace,
      protected: isProtectedKey(key),
      ttlSeconds: ttlSecondsOf(facts.ttlMs),
      encoding: facts.encoding,
      memoryBytes: facts.memoryBytes,
      length,
      lengthUnit:
        (
          {
            string: 'bytes',
            hash: 'fields',
            set: 'members',
            zset: 'members',
            list: 'elements',
            stream: 'entries',
          } as const
        )[facts.type as 'string'] ?? 'elements',
      preview,
      decoded,
      limits: {
        maxBytes: PREVIEW_LIMITS.maxBytes,
        maxElements: PREVIEW_LIMITS.maxElements,
        maxElementBytes: PREVIEW_LIMITS.maxElementBytes,
      },
    };
  }

  private async preview(
    key: string,
    type: string,
    length: number,
    memoryBytes: number | null,
  ): Promise<RedisValuePreview> {
    const n = elementsToFetch(memoryBytes, length);
    const budget = new ByteBudget(PREVIEW_LIMITS.maxBytes);
    switch (type) {
      case 'string': {
        const bytes = await this.redis.stringPrefix(key, PREVIEW_LIMITS.maxBytes);
        const truncated = length > bytes.length;
        const { text, binary } = bytesToText(bytes, truncated);
        return {
          kind: 'string',
          text,
          binary,
          truncated: truncated || binary,
          bytesShown: binary ? Math.min(bytes.length, PREVIEW_LIMITS.maxElementBytes) : bytes.length,
        };
      }
      case 'hash': {
        const fields = budget.take(await this.redis.hashFields(key, n), ([field, value]) => ({
          field: budget.cap(field),
          value: budget.cap(value),
        }));
        return { kind: 'hash', fields, truncated: fields.length < length || budget.cut };
      }
      case 'set': {
        const members = budget.take(await this.redis.setMembers(key, n), (member) => budget.cap(member));
        return { kind: 'set', members, truncated: members.length < length || budget.cut };
      }
      case 'zset': {
        const members = budget.take(await this.redis.sortedSetMembers(key, n), ([member, score]) => ({
          member: budget.cap(member),
          score,
        }));
        return { kind: 'zset', members, truncated: members.length < length || budget.cut };
      }
      case 'list': {
        const items = budget.take(await this.redis.listItems(key, n), (item) => budget.cap(item));
        return { kind: 'list', items, truncated: items.length < length || budget.cut };
      }
      case 'stream': {
        const entries = budget.take(await this.redis.streamEntries(key, Math.min(n, 20)), ([id, flat]) => {
          const fields: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) fields[budget.cap(flat[i])] = budget.cap(flat[i + 1]);
          return { id, fields };
        });
        return { kind: 'stream', entries, truncated: entries.length < length || budget.cut };
      }
      default:
        return { kind: 'unsupported', message: `No preview for keys of type ${type}` };
    }
  }
}

/** Keeps an aggregate's preview under a total byte budget, each element capped too. */
class ByteBudget {
  private used = 0;
  cut = false;

  constructor(private readonly max: number) {}

  cap(value: string): string {
    const { text, truncated } = capElement(value);
    if (truncated) this.cut = true;
    this.used += Buffer.byteLength(text);
    return text;
  }

  take<T, R>(items: T[], map: (item: T) => R): R[] {
    const out: R[] = [];
    for (const item of items) {
      if (this.used >= this.max) {
        this.cut = true;
        break;
      }
      out.push(map(item));
    }
    return out;
  }
}

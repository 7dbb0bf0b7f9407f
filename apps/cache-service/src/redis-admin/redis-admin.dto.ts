import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  KEY_NAMESPACES,
  REDIS_KEY_TYPES,
  type AnalyticsCacheDatasourcePointer,
  type AnalyticsCacheRedisSection,
  type DecodedCacheEntry,
  type KeyDistribution,
  type KeyNamespace,
  type NamespaceShare,
  type RedisKeyInspection,
  type RedisKeysPage,
  type RedisKeysQuery,
  type RedisKeySummary,
  type RedisKeyspaceDb,
  type RedisKeyType,
  type RedisMemoryAnalysis,
  type RedisMemoryKey,
  type RedisMemoryNamespace,
  type RedisMemoryQuery,
  type RedisNodeStats,
  type RedisPurgeRequest,
  type RedisPurgeResult,
  type RedisPurgeStatus,
  type RedisSlowlogEntry,
  type RedisSlowlogResetResponse,
  type RedisSlowlogResponse,
  type RedisStatsResponse,
  type RedisTtlRequest,
  type RedisTtlResponse,
  type RedisValuePreview,
} from '@ccc/shared-types';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import { globProblem, MAX_PATTERN_LENGTH } from './redis-glob.js';
import { CURSOR_FORMAT } from './scan-cursor.js';

const MAX_KEY_LENGTH = 4096;
const MAX_TTL_SECONDS = 10 * 365 * 86400;

/** A Redis glob SCAN MATCH reads as written: closed brackets, no trailing backslash, no control characters. */
function IsRedisGlob(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRedisGlob',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args) =>
          `${String(propertyName)}: ${typeof args.value === 'string' ? (globProblem(args.value) ?? 'invalid') : 'must be a string'}`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && globProblem(value) === null },
    });
}

// --- requests --------------------------------------------------------------------------------

export class RedisKeysQueryDto implements RedisKeysQuery {
  @ApiPropertyOptional({
    default: '*',
    maxLength: MAX_PATTERN_LENGTH,
    example: 'cache:{ds:1}:*',
    description: 'Redis glob (SCAN MATCH)',
  })
  @IsOptional()
  @IsRedisGlob()
  pattern?: string;

  @ApiPropertyOptional({ enum: REDIS_KEY_TYPES })
  @IsOptional()
  @IsIn(REDIS_KEY_TYPES, { message: `type must be one of ${REDIS_KEY_TYPES.join(', ')}` })
  type?: RedisKeyType;

  @ApiPropertyOptional({ default: '0', description: 'The cursor of the previous page; 0 starts a new scan' })
  @IsOptional()
  @Matches(CURSOR_FORMAT, {
    message: 'cursor must be a cursor this endpoint returned (digits, or node:digits on a cluster, optionally ~mark)',
  })
  cursor?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: 'Page size: at most this many keys per page (a page stops early at the examination cap)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  count?: number;

  @ApiPropertyOptional({ example: 'eu', description: 'The Redis region (REDIS_REGIONS) to look at; default primary' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  region?: string;
}

/** Routes of the Redis tools that can be pointed at another region. */
export class RedisRegionQueryDto {
  @ApiPropertyOptional({ example: 'eu', description: 'The Redis region (REDIS_REGIONS) to look at; default primary' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  region?: string;
}

export class RedisKeyQueryDto {
  @ApiProperty({ maxLength: MAX_KEY_LENGTH, example: 'cache:meta:{ds:1}' })
  @IsString()
  @IsNotEmpty({ message: 'key must not be empty' })
  @MaxLength(MAX_KEY_LENGTH)
  key: string;

  @ApiPropertyOptional({ example: 'eu', description: 'The Redis region (REDIS_REGIONS) to look at; default primary' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  region?: string;
}

export class RedisPurgeRequestDto implements RedisPurgeRequest {
  @ApiProperty({
    maxLength: MAX_PATTERN_LENGTH,
    example: 'cache:{ds:1}:g3:*',
    description: 'Redis glob of the keys to delete',
  })
  @IsString()
  @IsRedisGlob()
  pattern: string;

  @ApiPropertyOptional({ enum: REDIS_KEY_TYPES, description: 'Only keys of this type' })
  @IsOptional()
  @IsIn(REDIS_KEY_TYPES, { message: `type must be one of ${REDIS_KEY_TYPES.join(', ')}` })
  type?: RedisKeyType;

  @ApiProperty({ description: 'true: count and sample the matching keys, delete nothing' })
  @IsBoolean()
  dryRun: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Allow a pattern that could match protected keys (queues, live pointers, locks, rate limits, leases)',
  })
  @IsOptional()
  @IsBoolean()
  allowProtected?: boolean;
}

export class RedisTtlRequestDto implements RedisTtlRequest {
  @ApiProperty({ maxLength: MAX_KEY_LENGTH })
  @IsString()
  @IsNotEmpty({ message: 'key must not be empty' })
  @MaxLength(MAX_KEY_LENGTH)
  key: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_TTL_SECONDS,
    description: 'New time to live in seconds (give this or persist)',
  })
  @IsOptional()
  @IsInt({ message: 'ttlSeconds must be a whole number of seconds' })
  @Min(1, { message: 'ttlSeconds must be at least 1 (use persist to remove the expiry)' })
  @Max(MAX_TTL_SECONDS)
  ttlSeconds?: number;

  @ApiPropertyOptional({ description: 'true: remove the expiry (give this or ttlSeconds)' })
  @IsOptional()
  @IsBoolean()
  persist?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Allow changing the TTL of a protected key' })
  @IsOptional()
  @IsBoolean()
  allowProtected?: boolean;
}

export class PurgeIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('4', { message: 'purgeId must be a purge id (UUID)' })
  purgeId: string;
}

export class RedisSlowlogQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 128, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(128)
  limit?: number;
}

export class RedisMemoryQueryDto implements RedisMemoryQuery {
  @ApiPropertyOptional({ minimum: 100, maximum: 10_000, default: 2_000, description: 'Keys to sample' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10_000)
  sample?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  top?: number;
}

// --- responses -------------------------------------------------------------------------------

export class RedisKeyspaceDbDto implements RedisKeyspaceDb {
  @ApiProperty() db: number;
  @ApiProperty() keys: number;
  @ApiProperty() expires: number;
  @ApiProperty() avgTtlMs: number;
}

export class RedisNodeStatsDto implements RedisNodeStats {
  @ApiProperty({ example: '127.0.0.1:6379', description: "host:port, or 'total'" }) node: string;
  @ApiProperty({ example: 'master' }) role: string;
  @ApiProperty({ example: '7.0.15' }) version: string;
  @ApiProperty() uptimeSeconds: number;
  @ApiProperty() connectedClients: number;
  @ApiProperty() usedMemoryBytes: number;
  @ApiProperty() peakMemoryBytes: number;
  @ApiProperty({ description: '0: no limit' }) maxMemoryBytes: number;
  @ApiProperty() maxMemoryPolicy: string;
  @ApiProperty({ type: Number, nullable: true }) fragmentationRatio: number | null;
  @ApiProperty() opsPerSecond: number;
  @ApiProperty() keyspaceHits: number;
  @ApiProperty() keyspaceMisses: number;
  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1 }) hitRate: number | null;
  @ApiProperty() evictedKeys: number;
  @ApiProperty() expiredKeys: number;
  @ApiProperty() totalKeys: number;
  @ApiProperty({ type: RedisKeyspaceDbDto, isArray: true }) keyspace: RedisKeyspaceDbDto[];
}

export class NamespaceShareDto implements NamespaceShare {
  @ApiProperty({ enum: KEY_NAMESPACES }) namespace: KeyNamespace;
  @ApiProperty() sampledKeys: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) share: number;
  @ApiProperty({ description: 'Estimate: share × keys of the database' }) estimatedKeys: number;
}

export class KeyDistributionDto implements KeyDistribution {
  @ApiProperty({ enum: [true] }) isSample: true;
  @ApiProperty() sampled: number;
  @ApiProperty() totalKeys: number;
  @ApiProperty({ type: NamespaceShareDto, isArray: true }) namespaces: NamespaceShareDto[];
}

export class AnalyticsCacheDatasourcePointerDto implements AnalyticsCacheDatasourcePointer {
  @ApiProperty() datasourceId: number;
  @ApiProperty() datasourceName: string;
  @ApiProperty({ example: 'cache:meta:{ds:1}' }) metaKey: string;
  @ApiProperty() present: boolean;
  @ApiProperty({ type: Number, nullable: true }) liveGeneration: number | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) fields: Record<string, string>;
}

export class AnalyticsCacheRedisSectionDto implements AnalyticsCacheRedisSection {
  @ApiProperty({ type: AnalyticsCacheDatasourcePointerDto, isArray: true })
  datasources: AnalyticsCacheDatasourcePointerDto[];
  @ApiProperty() estimatedEntries: number;
  @ApiProperty() estimatedIndexSets: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) keyShare: number;
}

export class RedisStatsResponseDto implements RedisStatsResponse {
  @ApiProperty({ enum: ['standalone', 'cluster'] }) mode: 'standalone' | 'cluster';
  @ApiProperty({ type: RedisNodeStatsDto }) total: RedisNodeStatsDto;
  @ApiProperty({ type: RedisNodeStatsDto, isArray: true }) nodes: RedisNodeStatsDto[];
  @ApiProperty({ type: KeyDistributionDto }) distribution: KeyDistributionDto;
  @ApiProperty({ type: AnalyticsCacheRedisSectionDto }) analyticsCache: AnalyticsCacheRedisSectionDto;
  @ApiProperty({ format: 'date-time' }) collectedAt: string;
}

export class RedisKeySummaryDto implements RedisKeySummary {
  @ApiProperty() key: string;
  @ApiProperty({ example: 'string' }) type: string;
  @ApiProperty({ description: '-1: no expiry; -2: key gone' }) ttlSeconds: number;
  @ApiProperty({ enum: KEY_NAMESPACES }) namespace: KeyNamespace;
  @ApiProperty() protected: boolean;
}

export class RedisKeysPageDto implements RedisKeysPage {
  @ApiProperty({ type: RedisKeySummaryDto, isArray: true }) keys: RedisKeySummaryDto[];
  @ApiProperty({
    description:
      'Pass back as `cursor`; 0 when the scan is complete. Like Redis SCAN, every key present throughout the scan is listed at least once; a key may repeat on a later page if Redis resized its table meanwhile',
  })
  cursor: string;
  @ApiProperty() more: boolean;
  @ApiProperty({ description: 'Keys examined for this page (upper bound)' }) examined: number;
  @ApiProperty() examineCap: number;
}

export class DecodedCacheEntryDto implements DecodedCacheEntry {
  @ApiProperty({ enum: ['analytics-entry'] }) kind: 'analytics-entry';
  @ApiProperty() rowCount: number;
  @ApiProperty({
    type: 'array',
    description: '[period, value] pairs',
    items: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: { anyOf: [{ type: 'string' }, { type: 'number', nullable: true }] },
    },
  })
  rows: Array<[string, number | string | null]>;
  @ApiProperty() truncated: boolean;
}

export class PreviewLimitsDto {
  @ApiProperty() maxBytes: number;
  @ApiProperty() maxElements: number;
  @ApiProperty() maxElementBytes: number;
}

export class RedisKeyInspectionDto implements RedisKeyInspection {
  @ApiProperty() key: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: KEY_NAMESPACES }) namespace: KeyNamespace;
  @ApiProperty() protected: boolean;
  @ApiProperty({ description: '-1: no expiry' }) ttlSeconds: number;
  @ApiProperty({ type: String, nullable: true }) encoding: string | null;
  @ApiProperty({ type: Number, nullable: true }) memoryBytes: number | null;
  @ApiProperty() length: number;
  @ApiProperty({ enum: ['bytes', 'fields', 'members', 'elements', 'entries'] })
  lengthUnit: RedisKeyInspection['lengthUnit'];
  @ApiProperty({
    type: 'object',
    description: 'Capped preview; `kind` is string, hash, set, zset, list, stream or unsupported',
    properties: { kind: { type: 'string' }, truncated: { type: 'boolean' } },
    additionalProperties: { $ref: '#/components/schemas/JsonValue' },
  })
  preview: RedisValuePreview;
  @ApiProperty({ type: DecodedCacheEntryDto, nullable: true }) decoded: DecodedCacheEntryDto | null;
  @ApiProperty({ type: PreviewLimitsDto }) limits: PreviewLimitsDto;
}

export class RedisPurgeResultDto implements RedisPurgeResult {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) purgeId: string | null;
  @ApiProperty() dryRun: boolean;
  @ApiProperty({ enum: ['preview', 'running', 'completed', 'failed'] }) status: RedisPurgeStatus;
  @ApiProperty() pattern: string;
  @ApiProperty({ enum: REDIS_KEY_TYPES, nullable: true }) type: RedisKeyType | null;
  @ApiProperty({ description: 'Dry run: matching keys; real run: deleted so far' }) matched: number;
  @ApiProperty() deleted: number;
  @ApiProperty() countComplete: boolean;
  @ApiProperty({ type: String, isArray: true }) sample: string[];
  @ApiProperty() batches: number;
  @ApiProperty() batchSize: number;
  @ApiProperty({ type: String, isArray: true }) protectedNamespaces: string[];
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
}

export class RedisTtlResponseDto implements RedisTtlResponse {
  @ApiProperty() key: string;
  @ApiProperty() previousTtlSeconds: number;
  @ApiProperty({ description: '-1: no expiry' }) ttlSeconds: number;
}

export class RedisSlowlogEntryDto implements RedisSlowlogEntry {
  @ApiProperty() node: string;
  @ApiProperty() id: number;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty() durationMicros: number;
  @ApiProperty({ type: String, isArray: true }) command: string[];
  @ApiProperty() clientAddress: string;
  @ApiProperty() clientName: string;
}

export class RedisSlowlogNodeDto {
  @ApiProperty() node: string;
  @ApiProperty() length: number;
  @ApiProperty({ type: Number, nullable: true }) slowerThanMicros: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxLength: number | null;
}

export class RedisSlowlogResponseDto implements RedisSlowlogResponse {
  @ApiProperty({ type: RedisSlowlogEntryDto, isArray: true }) entries: RedisSlowlogEntryDto[];
  @ApiProperty({ type: RedisSlowlogNodeDto, isArray: true }) nodes: RedisSlowlogNodeDto[];
}

export class RedisSlowlogResetResponseDto implements RedisSlowlogResetResponse {
  @ApiProperty() nodesReset: number;
}

export class RedisMemoryKeyDto implements RedisMemoryKey {
  @ApiProperty() key: string;
  @ApiProperty() type: string;
  @ApiProperty({ enum: KEY_NAMESPACES }) namespace: KeyNamespace;
  @ApiProperty() memoryBytes: number;
}

export class RedisMemoryNamespaceDto implements RedisMemoryNamespace {
  @ApiProperty({ enum: KEY_NAMESPACES }) namespace: KeyNamespace;
  @ApiProperty() sampledKeys: number;
  @ApiProperty() sampledMemoryBytes: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) share: number;
  @ApiProperty({ description: 'Estimate for the whole database' }) estimatedMemoryBytes: number;
}

export class RedisMemoryAnalysisDto implements RedisMemoryAnalysis {
  @ApiProperty({ enum: [true] }) isSample: true;
  @ApiProperty() sampled: number;
  @ApiProperty() totalKeys: number;
  @ApiProperty() usedMemoryBytes: number;
  @ApiProperty() sampledMemoryBytes: number;
  @ApiProperty({ type: RedisMemoryKeyDto, isArray: true }) topKeys: RedisMemoryKeyDto[];
  @ApiProperty({ type: RedisMemoryNamespaceDto, isArray: true }) namespaces: RedisMemoryNamespaceDto[];
}

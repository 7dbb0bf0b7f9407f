import type { RedisKeyInspection, RedisKeysPage, RedisPurgeResult, RedisStatsResponse } from '@ccc/shared-types';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';

const node = {
  node: '127.0.0.1:6379',
  role: 'master',
  version: '7.0.15',
  uptimeSeconds: 7200,
  connectedClients: 8,
  usedMemoryBytes: 3 * 1024 * 1024,
  peakMemoryBytes: 4 * 1024 * 1024,
  maxMemoryBytes: 0,
  maxMemoryPolicy: 'noeviction',
  fragmentationRatio: 1.2,
  opsPerSecond: 120,
  keyspaceHits: 900,
  keyspaceMisses: 100,
  hitRate: 0.9,
  evictedKeys: 0,
  expiredKeys: 4,
  totalKeys: 5000,
  keyspace: [{ db: 0, keys: 5000, expires: 10, avgTtlMs: 0 }],
};

const stats: RedisStatsResponse = {
  mode: 'standalone',
  total: { ...node, node: 'total' },
  nodes: [node],
  distribution: {
    isSample: true,
    sampled: 1000,
    totalKeys: 5000,
    namespaces: [
      { namespace: 'analytics-entry', sampledKeys: 800, share: 0.8, estimatedKeys: 4000 },
      { namespace: 'queue', sampledKeys: 200, share: 0.2, estimatedKeys: 1000 },
    ],
  },
  analyticsCache: {
    datasources: [
      {
        datasourceId: 1,
        datasourceName: 'Revenue Analytics',
        metaKey: 'cache:meta:{ds:1}',
        present: true,
        liveGeneration: 3,
        fields: { gen: '3' },
      },
    ],
    estimatedEntries: 4000,
    estimatedIndexSets: 0,
    keyShare: 0.8,
  },
  collectedAt: '2025-10-01T00:00:00.000Z',
};

const key = (name: string) => ({
  key: name,
  type: 'string',
  ttlSeconds: -1,
  namespace: 'other' as const,
  protected: false,
});

const inspection: RedisKeyInspection = {
  key: 'session:1',
  type: 'string',
  namespace: 'other',
  protected: false,
  ttlSeconds: -1,
  encoding: 'embstr',
  memoryBytes: 56,
  length: 5,
  lengthUnit: 'bytes',
  preview: { kind: 'string', text: 'hello', binary: false, truncated: false, bytesShown: 5 },
  decoded: null,
  limits: { maxBytes: 65536, maxElements: 100, maxElementBytes: 1024 },
};

const purgeResult = (overrides: Partial<RedisPurgeResult>): RedisPurgeResult => ({
  purgeId: null,
  dryRun: true,
  status: 'preview',
  pattern: 'session:*',
  type: null,
  matched: 2,
  deleted: 0,
  countComplete: true,
  sample: ['session:1', 'session:2'],
  batches: 0,
  batchSize: 500,
  protectedNamespaces: [],
  startedAt: '2025-10-01T00:00:00.000Z',
  finishedAt: '2025-10-01T00:00:00.000Z',
  error: null,
  ...overrides,
});

describe('Redis tab', () => {
  it('shows server figures, the analytics cache section apart, and says the distribution is a sample', async () => {
    signInAs('viewer');
    mockApi({ 'GET /api/admin/redis/stats': () => jsonResponse(200, stats) });
    renderApp('/redis');

    expect(await screen.findByTestId('stat-hit-rate')).toHaveTextContent('90%');
    expect(screen.getByTestId('stat-memory')).toHaveTextContent('3.0 MB');
    expect(screen.getByTestId('stat-memory')).toHaveTextContent('no limit');
    const section = screen.getByTestId('analytics-cache-section');
    expect(within(section).getByRole('heading', { name: 'Analytics cache' })).toBeInTheDocument();
    expect(section).toHaveTextContent('Revenue Analytics');
    expect(section).toHaveTextContent('cache:meta:{ds:1}');
    expect(screen.getByTestId('distribution-note')).toHaveTextContent('From a sample of 1,000 of 5,000 keys');
    expect(screen.getByTestId('namespace-table')).toHaveTextContent('Queue keys');
  });

  it('browses keys page by page, inspects one and changes its TTL', async () => {
    signInAs('operator');
    const pages: Record<string, RedisKeysPage> = {
      '0': { keys: [key('session:1'), key('session:2')], cursor: '77', more: true, examined: 1000, examineCap: 10000 },
      // SCAN may repeat a key on a later page (Redis resized its table mid-scan): still one row.
      '77': { keys: [key('session:2'), key('session:3')], cursor: '0', more: false, examined: 1000, examineCap: 10000 },
    };
    const ttlBodies: unknown[] = [];
    mockApi({
      'GET /api/admin/redis/keys': ({ url }) => {
        expect(url.searchParams.get('pattern')).toBe('session:*');
        return jsonResponse(200, pages[url.searchParams.get('cursor') ?? '0']);
      },
      'GET /api/admin/redis/inspect': ({ url }) =>
        jsonResponse(200, { ...inspection, key: url.searchParams.get('key') }),
      'POST /api/admin/redis/ttl': ({ body }) => {
        ttlBodies.push(body);
        return jsonResponse(200, { key: 'session:1', previousTtlSeconds: -1, ttlSeconds: 600 });
      },
    });
    const { user } = renderApp('/redis?view=keys');

    const pattern = await screen.findByLabelText('Pattern');
    await user.clear(pattern);
    await user.type(pattern, 'session:*');
    await user.click(screen.getByRole('button', { name: 'Search' }));
    const table = await screen.findByTestId('keys-table');
    expect(await within(table).findByText('session:2')).toBeInTheDocument();
    expect(screen.getByTestId('keys-summary')).toHaveTextContent('more to scan');

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await within(table).findByText('session:3')).toBeInTheDocument();
    expect(within(table).getAllByText('session:2')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();

    await user.click(within(table).getByText('session:1'));
    const inspector = await screen.findByTestId('key-inspector');
    expect(await within(inspector).findByTestId('value-preview')).toHaveTextContent('hello');
    await user.type(within(inspector).getByLabelText('New TTL (seconds)'), '600');
    await user.click(within(inspector).getByRole('button', { name: 'Set TTL' }));
    expect(await within(inspector).findByTestId('ttl-status')).toHaveTextContent('10 min');
    expect(ttlBodies).toEqual([{ key: 'session:1', ttlSeconds: 600 }]);
  });

  it('purges only after a dry run and the pattern typed again', async () => {
    signInAs('operator');
    const purgeBodies: Array<{ dryRun: boolean }> = [];
    mockApi({
      'GET /api/admin/redis/keys': () =>
        jsonResponse(200, { keys: [], cursor: '0', more: false, examined: 100, examineCap: 10000 }),
      'POST /api/admin/redis/purge': ({ body }) => {
        purgeBodies.push(body as { dryRun: boolean });
        return (body as { dryRun: boolean }).dryRun
          ? jsonResponse(200, purgeResult({}))
          : jsonResponse(
              200,
              purgeResult({ dryRun: false, status: 'completed', purgeId: 'p1', deleted: 2, batches: 1 }),
            );
      },
    });
    const { user } = renderApp('/redis?view=keys');

    await user.click(await screen.findByRole('button', { name: 'Purge keys…' }));
    const dialog = screen.getByRole('dialog', { name: 'Purge keys' });
    await user.type(within(dialog).getByLabelText('Pattern to purge'), 'session:*');
    const del = within(dialog).getByRole('button', { name: /^Delete/ });
    expect(del).toBeDisabled();
    await user.click(within(dialog).getByRole('button', { name: 'Preview (dry run)' }));
    expect(await within(dialog).findByTestId('purge-preview')).toHaveTextContent('2 keys match session:*');
    expect(within(dialog).getByRole('button', { name: 'Delete 2 keys' })).toBeDisabled();

    await user.type(within(dialog).getByLabelText('Type the pattern to confirm'), 'session:');
    expect(within(dialog).getByRole('button', { name: 'Delete 2 keys' })).toBeDisabled();
    await user.type(within(dialog).getByLabelText('Type the pattern to confirm'), '*');
    await user.click(within(dialog).getByRole('button', { name: 'Delete 2 keys' }));
    expect(await within(dialog).findByTestId('purge-result')).toHaveTextContent('Deleted 2 keys in 1 batches.');
    expect(purgeBodies.map((b) => b.dryRun)).toEqual([true, false]);
  });

  it('shows why a purge of protected keys is refused', async () => {
    signInAs('operator');
    mockApi({
      'GET /api/admin/redis/keys': () =>
        jsonResponse(200, { keys: [], cursor: '0', more: false, examined: 100, examineCap: 10000 }),
      'POST /api/admin/redis/purge': () =>
        jsonResponse(
          400,
          errorBody('VALIDATION_FAILED', 'Refused: pattern "*" could match protected keys (cache:meta:*, {ccc}*)', [
            { field: 'pattern', messages: ['protected'] },
          ]),
        ),
    });
    const { user } = renderApp('/redis?view=keys');
    await user.click(await screen.findByRole('button', { name: 'Purge keys…' }));
    const dialog = screen.getByRole('dialog', { name: 'Purge keys' });
    await user.type(within(dialog).getByLabelText('Pattern to purge'), '*');
    await user.click(within(dialog).getByRole('button', { name: 'Preview (dry run)' }));
    expect(await within(dialog).findByTestId('purge-error')).toHaveTextContent('could match protected keys');
    expect(within(dialog).queryByLabelText('Type the pattern to confirm')).not.toBeInTheDocument();
  });

  it('gives a viewer no purge and no TTL editing', async () => {
    signInAs('viewer');
    mockApi({
      'GET /api/admin/redis/keys': () =>
        jsonResponse(200, { keys: [key('session:1')], cursor: '0', more: false, examined: 100, examineCap: 10000 }),
      'GET /api/admin/redis/inspect': () => jsonResponse(200, inspection),
    });
    const { user } = renderApp('/redis?view=keys');
    await user.click(await screen.findByText('session:1'));
    expect(await screen.findByTestId('key-facts')).toHaveTextContent('embstr');
    expect(screen.queryByRole('button', { name: 'Purge keys…' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('New TTL (seconds)')).not.toBeInTheDocument();
  });
});

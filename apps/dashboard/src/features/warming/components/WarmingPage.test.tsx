import type {
  ActiveWarmingJob,
  UpdateWarmScheduleRequest,
  WarmingStatusResponse,
  WarmResponse,
} from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { job, mockCacheApi, page, schedules } from '../../analytics-cache/test-fixtures';

function activeJob(overrides: Partial<ActiveWarmingJob> = {}): ActiveWarmingJob {
  return {
    jobId: 'job-42',
    datasourceId: 1,
    datasourceName: 'Revenue Analytics',
    startedAt: new Date(Date.now() - 120_000).toISOString(),
    progress: 75,
    rowsProcessed: 183_458,
    rowsTotal: 245_012,
    etaSeconds: 32,
    status: 'RUNNING',
    ...overrides,
  };
}

describe('warming tab', () => {
  it('shows live progress of active jobs and the finished job at 100%', async () => {
    signInAs('viewer');
    const running: WarmingStatusResponse = { activeJobs: [activeJob()], recentJobs: [] };
    const finished: WarmingStatusResponse = {
      activeJobs: [],
      recentJobs: [
        {
          jobId: 'job-42',
          datasourceId: 1,
          datasourceName: 'Revenue Analytics',
          startedAt: new Date(Date.now() - 150_000).toISOString(),
          completedAt: new Date().toISOString(),
          duration: 150,
          entriesCached: 12_458,
          success: true,
          status: 'COMPLETED',
        },
      ],
    };
    let status = running;
    mockCacheApi({ 'GET /api/admin/analytics/cache/warming/status': () => jsonResponse(200, status) });
    renderApp('/warming');

    const bar = await screen.findByTestId('progress-job-42');
    expect(bar).toHaveAttribute('role', 'progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '75');
    expect(bar).toHaveAccessibleName('Warming progress of DS #1: Revenue Analytics');
    const card = screen.getByTestId('job-job-42');
    expect(card).toHaveTextContent('183,458 / 245,012 rows • ETA: 32 seconds');
    expect(card).toHaveTextContent('Started: 2 minutes ago');
    expect(card).toHaveTextContent('Running');

    // Polled every second while a job is active.
    status = finished;
    await waitFor(() => expect(screen.getByTestId('progress-job-42')).toHaveAttribute('aria-valuenow', '100'), {
      timeout: 3_000,
    });
    expect(screen.getByTestId('job-job-42')).toHaveTextContent('Completed');
    expect(screen.getByTestId('job-job-42')).toHaveTextContent('12,458 entries cached in 2 min 30 s');
    expect(screen.getByTestId('no-active-jobs')).toBeInTheDocument();
  });

  it('pauses, resumes, and cancels only after confirmation', async () => {
    signInAs('operator');
    const calls: string[] = [];
    const action =
      (name: string) =>
      ({ url }: { url: URL }) => {
        calls.push(`${name} ${url.pathname.split('/').at(-2)}`);
        return jsonResponse(200, job({ jobId: url.pathname.split('/').at(-2), status: 'RUNNING' }));
      };
    mockCacheApi({
      'GET /api/admin/analytics/cache/warming/status': () =>
        jsonResponse(200, {
          activeJobs: [
            activeJob(),
            activeJob({ jobId: 'job-43', datasourceId: 3, datasourceName: 'Operational Metrics', status: 'PAUSED' }),
          ],
          recentJobs: [],
        }),
      'POST /api/admin/analytics/cache/warming/jobs/job-42/pause': action('pause'),
      'POST /api/admin/analytics/cache/warming/jobs/job-43/resume': action('resume'),
      'POST /api/admin/analytics/cache/warming/jobs/job-42/cancel': action('cancel'),
    });
    const { user } = renderApp('/warming');

    await user.click(await screen.findByRole('button', { name: 'Pause warming of DS #1: Revenue Analytics' }));
    await user.click(screen.getByRole('button', { name: 'Resume warming of DS #3: Operational Metrics' }));
    await waitFor(() => expect(calls).toEqual(['pause job-42', 'resume job-43']));

    await user.click(screen.getByRole('button', { name: 'Cancel warming of DS #1: Revenue Analytics' }));
    const dialog = screen.getByRole('dialog', { name: 'Cancel warming of DS #1: Revenue Analytics?' });
    expect(dialog).toHaveTextContent('183,458 of 245,012');
    await user.click(within(dialog).getByRole('button', { name: 'Keep warming' }));
    expect(calls).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Cancel warming of DS #1: Revenue Analytics' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(calls).toEqual(['pause job-42', 'resume job-43', 'cancel job-42']));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it("shows the server's message when a job can no longer be paused", async () => {
    signInAs('operator');
    mockCacheApi({
      'GET /api/admin/analytics/cache/warming/status': () =>
        jsonResponse(200, { activeJobs: [activeJob()], recentJobs: [] }),
      'POST /api/admin/analytics/cache/warming/jobs/job-42/pause': () =>
        jsonResponse(409, errorBody('CONFLICT', 'Job job-42 is COMPLETED and cannot be paused')),
    });
    const { user } = renderApp('/warming');

    await user.click(await screen.findByRole('button', { name: 'Pause warming of DS #1: Revenue Analytics' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Job job-42 is COMPLETED and cannot be paused');
  });

  it('lists each datasource with its cron and next runs, and shows a bad cron rejected by the server', async () => {
    signInAs('operator');
    const bodies: UpdateWarmScheduleRequest[] = [];
    mockCacheApi({
      'PUT /api/admin/analytics/cache/schedules/3': ({ body }) => {
        const request = body as UpdateWarmScheduleRequest;
        bodies.push(request);
        if (request.cron === 'every tuesday') {
          return jsonResponse(
            400,
            errorBody('VALIDATION_FAILED', 'Request validation failed', [
              { field: 'cron', messages: ['cron must be a valid 5-field cron expression'] },
            ]),
          );
        }
        return jsonResponse(200, {
          datasourceId: 3,
          datasourceName: 'Operational Metrics',
          cron: request.cron,
          nextRuns: ['2030-01-01T06:00:00.000Z', '2030-01-02T06:00:00.000Z'],
        });
      },
    });
    const { user } = renderApp('/warming');

    const revenueRow = await screen.findByTestId('schedule-row-1');
    expect(within(revenueRow).getByLabelText('Cron schedule for Revenue Analytics')).toHaveValue('0 */4 * * *');
    expect(within(screen.getByTestId('next-runs-1')).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByTestId('next-runs-1')).toHaveTextContent('(in 1 hour)');

    const input = screen.getByLabelText('Cron schedule for Operational Metrics');
    await user.type(input, 'every tuesday');
    await user.click(screen.getByRole('button', { name: 'Save schedule for Operational Metrics' }));

    expect(await screen.findByTestId('cron-error-3')).toHaveTextContent('cron must be a valid 5-field cron expression');
    expect(input).toBeInvalid();
    expect(input).toHaveAccessibleDescription('cron must be a valid 5-field cron expression');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    await user.clear(input);
    expect(screen.queryByTestId('cron-error-3')).not.toBeInTheDocument();
    await user.type(input, '0 6 * * *');
    await user.click(screen.getByRole('button', { name: 'Save schedule for Operational Metrics' }));

    expect(await within(screen.getByTestId('schedule-row-3')).findByText('Saved.')).toBeInTheDocument();
    expect(within(screen.getByTestId('next-runs-3')).getAllByRole('listitem')).toHaveLength(2);
    expect(bodies).toEqual([{ cron: 'every tuesday' }, { cron: '0 6 * * *' }]);
  });

  it('clears a schedule', async () => {
    signInAs('operator');
    const bodies: UpdateWarmScheduleRequest[] = [];
    mockCacheApi({
      'PUT /api/admin/analytics/cache/schedules/1': ({ body }) => {
        bodies.push(body as UpdateWarmScheduleRequest);
        return jsonResponse(200, { ...schedules[0], cron: null, nextRuns: [] });
      },
    });
    const { user } = renderApp('/warming');

    await user.click(await screen.findByRole('button', { name: 'Clear schedule for Revenue Analytics' }));

    expect(await screen.findByText('Schedule cleared: warmed on demand only.')).toBeInTheDocument();
    expect(screen.getByLabelText('Cron schedule for Revenue Analytics')).toHaveValue('');
    expect(screen.getByTestId('next-runs-1')).toHaveTextContent('—');
    expect(bodies).toEqual([{ cron: null }]);
  });

  it('warms all datasources and shows each outcome', async () => {
    signInAs('operator');
    const response: WarmResponse = {
      jobId: 'job-50',
      datasourcesQueued: [1, 5],
      estimatedDuration: 90,
      results: [
        { datasourceId: 1, status: 'queued', jobId: 'job-50' },
        { datasourceId: 3, status: 'skipped', jobId: null, reason: 'Datasource is disabled' },
        { datasourceId: 5, status: 'queued', jobId: 'job-51' },
      ],
    };
    mockCacheApi({ 'POST /api/admin/analytics/cache/warm': () => jsonResponse(202, response) });
    const { user } = renderApp('/warming');

    await user.click(await screen.findByRole('button', { name: 'Warm All Datasources' }));

    const results = await screen.findByTestId('warm-results');
    expect(results).toHaveTextContent('Warming queued for 2 datasources (about 1 minute 30 seconds).');
    expect(results).toHaveTextContent('DS #3: Operational Metrics: Skipped — Datasource is disabled');
  });

  it('filters the history and pages through it', async () => {
    signInAs('viewer');
    const queries: string[] = [];
    mockCacheApi({
      'GET /api/admin/analytics/cache/warming/jobs': ({ url }) => {
        queries.push(url.search);
        const pageNumber = Number(url.searchParams.get('page'));
        return jsonResponse(
          200,
          page(
            [job({ jobId: `job-p${pageNumber}`, status: 'FAILED', failureReason: `failure on page ${pageNumber}` })],
            45,
            pageNumber,
          ),
        );
      },
    });
    const { user } = renderApp('/warming');

    expect(await screen.findByTestId('history-page-info')).toHaveTextContent('Page 1 of 3 · 45 jobs');
    await user.selectOptions(screen.getByLabelText('Datasource'), 'DS #1: Revenue Analytics');
    await user.selectOptions(screen.getByLabelText('Status'), 'Failed');
    await user.type(screen.getByLabelText('From'), '2025-10-01');
    await user.type(screen.getByLabelText('To'), '2025-10-15');
    await user.click(screen.getByRole('button', { name: 'Apply' }));

    await waitFor(() => expect(queries.at(-1)).toContain('status=FAILED'));
    const params = new URLSearchParams(queries.at(-1));
    expect(params.get('datasourceId')).toBe('1');
    expect(params.get('page')).toBe('1');
    expect(new Date(params.get('from')!).getTime()).toBe(new Date('2025-10-01T00:00:00').getTime());
    expect(new Date(params.get('to')!).getTime()).toBe(new Date('2025-10-15T23:59:59.999').getTime());

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('failure on page 2')).toBeInTheDocument();
    expect(screen.getByTestId('history-page-info')).toHaveTextContent('Page 2 of 3');
    expect(new URLSearchParams(queries.at(-1)).get('status')).toBe('FAILED');
  });

  it('refuses a date range that ends before it starts', async () => {
    signInAs('viewer');
    mockCacheApi();
    const { user } = renderApp('/warming');

    await user.type(await screen.findByLabelText('From'), '2025-10-15');
    await user.type(screen.getByLabelText('To'), '2025-10-01');

    expect(screen.getByText('The start date is after the end date.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
  });

  it('shows a viewer progress and schedules without any write action', async () => {
    signInAs('viewer');
    mockCacheApi({
      'GET /api/admin/analytics/cache/warming/status': () =>
        jsonResponse(200, { activeJobs: [activeJob()], recentJobs: [] }),
    });
    renderApp('/warming');

    expect(await screen.findByTestId('progress-job-42')).toBeInTheDocument();
    const row = await screen.findByTestId('schedule-row-1');
    expect(row).toHaveTextContent('0 */4 * * *');
    expect(screen.getByTestId('schedule-row-3')).toHaveTextContent('Manual only');
    expect(screen.queryByRole('textbox', { name: /Cron schedule/ })).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: /Warm|Refresh|Pause|Resume|Cancel|Save|Clear schedule/ }),
    ).not.toBeInTheDocument();
  });
});

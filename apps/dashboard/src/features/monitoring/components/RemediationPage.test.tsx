import type { CreateRemediationRuleRequest, RemediationAction, RemediationRule } from '@ccc/shared-types';
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../../../test/render';
import { datasourcesRoute } from '../test-fixtures';

const BASE = '/api/admin/monitoring/remediation';

const rule = (over: Partial<RemediationRule> = {}): RemediationRule => ({
  id: 'rule-1',
  name: 'Warm on low hit rate',
  alertType: 'HIT_RATE_LOW',
  minSeverity: 'WARNING',
  datasourceId: 1,
  datasourceName: 'Revenue Analytics',
  action: 'WARM',
  ttlFactor: null,
  maxTtlSeconds: null,
  region: null,
  cooldownSeconds: 900,
  maxFailedAttempts: 3,
  dryRun: false,
  enabled: true,
  createdBy: 'u1',
  updatedBy: null,
  createdAt: '2026-12-05T00:00:00.000Z',
  updatedAt: '2026-12-05T00:00:00.000Z',
  ...over,
});

const action = (over: Partial<RemediationAction> = {}): RemediationAction => ({
  id: 'action-1',
  ruleId: 'rule-1',
  ruleName: 'Warm on low hit rate',
  alertId: 'alert-1',
  alertType: 'HIT_RATE_LOW',
  datasourceId: 1,
  datasourceName: 'Revenue Analytics',
  action: 'WARM',
  outcome: 'DONE',
  detail: 'Queued a warm of datasource 1 (Revenue Analytics)',
  warmJobId: 'job-1',
  warmStatus: 'COMPLETED',
  previousValue: null,
  newValue: null,
  undoable: false,
  undoneAt: null,
  undoneBy: null,
  createdAt: '2026-12-05T00:01:00.000Z',
  ...over,
});

const page = (items: RemediationAction[]) => ({ items, total: items.length, page: 1, pageSize: 25 });

describe('remediation tab', () => {
  it('lists rules, recent actions and dry-run results; a viewer cannot change them', async () => {
    signInAs('viewer');
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}/rules`]: () => jsonResponse(200, [rule(), rule({ id: 'rule-2', name: 'TTL', dryRun: true })]),
      [`GET ${BASE}/actions`]: ({ url }) =>
        jsonResponse(
          200,
          url.searchParams.get('outcome') === 'DRY_RUN'
            ? page([action({ id: 'dry-1', outcome: 'DRY_RUN', detail: 'Dry run: would raise the staleness TTL' })])
            : page([action()]),
        ),
    });
    renderApp('/remediation');

    const warm = await screen.findByTestId('remediation-rule-rule-1');
    expect(warm).toHaveTextContent('Hit rate low');
    expect(warm).toHaveTextContent('DS #1: Revenue Analytics');
    expect(warm).toHaveTextContent('cool-down 15 min');
    expect(warm).toHaveTextContent('Active');
    expect(screen.getByTestId('remediation-rule-rule-2')).toHaveTextContent('Dry run');
    const done = await screen.findByTestId('remediation-action-action-1');
    expect(done).toHaveTextContent('Done');
    expect(done).toHaveTextContent('warm completed');
    expect(await screen.findByTestId('remediation-dry-runs-table')).toHaveTextContent(
      'Dry run: would raise the staleness TTL',
    );
    expect(screen.queryByRole('button', { name: 'New rule' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Edit/ })).not.toBeInTheDocument();
  });

  it('creates a rule in a dialog, shows the server’s 400 beside the field, and undoes an action', async () => {
    signInAs('operator');
    const created: CreateRemediationRuleRequest[] = [];
    const undone: string[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}/rules`]: () => jsonResponse(200, []),
      [`GET ${BASE}/actions`]: () =>
        jsonResponse(
          200,
          page([
            action({
              id: 'pause-1',
              action: 'PAUSE_SCHEDULE',
              detail: 'Paused the warm schedule "0 3 * * *" of datasource 1',
              warmJobId: null,
              warmStatus: null,
              previousValue: { warmSchedule: '0 3 * * *' },
              newValue: { warmSchedule: null },
              undoable: true,
            }),
          ]),
        ),
      [`POST ${BASE}/rules`]: ({ body }) => {
        created.push(body as CreateRemediationRuleRequest);
        if (created.length === 1)
          return jsonResponse(
            400,
            errorBody('VALIDATION_FAILED', 'Invalid rule', [
              { field: 'maxTtlSeconds', messages: ['maxTtlSeconds must be a whole number from 60 to 2592000'] },
            ]),
          );
        return jsonResponse(201, rule({ action: 'RAISE_STALENESS_TTL', ttlFactor: 2, maxTtlSeconds: 7200 }));
      },
      [`POST ${BASE}/actions/pause-1/undo`]: () => {
        undone.push('pause-1');
        return jsonResponse(200, action({ id: 'pause-1', undoable: false }));
      },
    });
    const { user } = renderApp('/remediation');

    expect(await screen.findByTestId('no-remediation-rules')).toHaveTextContent('No rules yet');
    await user.click(screen.getByRole('button', { name: 'New rule' }));
    const dialog = screen.getByTestId('remediation-rule-dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Create rule' }));
    expect(within(dialog).getByTestId('rule-name-error')).toHaveTextContent('A name is required.');
    expect(created).toHaveLength(0);

    await user.type(within(dialog).getByLabelText('Name'), 'Raise TTL');
    await user.selectOptions(within(dialog).getByLabelText('Datasource'), '1');
    await user.selectOptions(within(dialog).getByLabelText('Action'), 'RAISE_STALENESS_TTL');
    await user.click(within(dialog).getByLabelText(/Dry run/));
    await user.click(within(dialog).getByRole('button', { name: 'Create rule' }));
    expect(await within(dialog).findByTestId('rule-maxTtlSeconds-error')).toHaveTextContent('from 60 to 2592000');
    expect(created[0]).toEqual({
      name: 'Raise TTL',
      alertType: 'HIT_RATE_LOW',
      minSeverity: 'WARNING',
      datasourceId: 1,
      action: 'RAISE_STALENESS_TTL',
      ttlFactor: 2,
      maxTtlSeconds: 86400,
      region: null,
      cooldownSeconds: 900,
      maxFailedAttempts: 3,
      dryRun: true,
      enabled: true,
    });
    const cap = within(dialog).getByLabelText('Never above (seconds)');
    await user.clear(cap);
    await user.type(cap, '7200');
    await user.click(within(dialog).getByRole('button', { name: 'Create rule' }));
    await waitFor(() => expect(screen.queryByTestId('remediation-rule-dialog')).not.toBeInTheDocument());
    expect(created[1]).toMatchObject({ maxTtlSeconds: 7200 });

    await user.click(await screen.findByRole('button', { name: /^Undo: Paused the warm schedule/ }));
    await user.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(undone).toEqual(['pause-1']));
  });

  it('asks for a region for the action "Invalidate a region" and shows the server’s 400 for an unknown one', async () => {
    signInAs('operator');
    const created: CreateRemediationRuleRequest[] = [];
    mockApi({
      ...datasourcesRoute,
      [`GET ${BASE}/rules`]: () => jsonResponse(200, []),
      [`GET ${BASE}/actions`]: () => jsonResponse(200, page([])),
      [`POST ${BASE}/rules`]: ({ body }) => {
        created.push(body as CreateRemediationRuleRequest);
        return jsonResponse(
          400,
          errorBody('VALIDATION_FAILED', 'Invalid rule', [
            { field: 'region', messages: ['region must be a configured region (primary, eu)'] },
          ]),
        );
      },
    });
    const { user } = renderApp('/remediation');
    await user.click(await screen.findByRole('button', { name: 'New rule' }));
    const dialog = screen.getByTestId('remediation-rule-dialog');
    expect(within(dialog).queryByLabelText('Region')).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Name'), 'Drop the EU copy');
    await user.selectOptions(within(dialog).getByLabelText('Action'), 'INVALIDATE_REGION');
    const region = within(dialog).getByLabelText('Region');
    expect(region).toHaveValue('primary');
    await user.clear(region);
    await user.type(region, 'mars');
    await user.click(within(dialog).getByRole('button', { name: 'Create rule' }));
    expect(await within(dialog).findByTestId('rule-region-error')).toHaveTextContent('configured region');
    expect(created[0]).toMatchObject({ action: 'INVALIDATE_REGION', region: 'mars', ttlFactor: null });
  });
});

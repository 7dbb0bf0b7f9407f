import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, renderApp, signInAs } from '../../../test/render';
import { mockCacheApi } from '../../analytics-cache/test-fixtures';

describe('queue board link on the warming page', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is offered to admins and opens the board after asking the service for its session cookie', async () => {
    signInAs('admin');
    const session = vi.fn(() => new Response(null, { status: 204 }));
    const fetchMock = mockCacheApi({ 'POST /api/admin/queue-board/session': session });
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, assign });
    const { user } = renderApp('/warming');
    const link = await screen.findByRole('link', { name: 'Queue board' });
    expect(link).toHaveAttribute('href', '/admin/queues');
    await user.click(link);
    await waitFor(() => expect(assign).toHaveBeenCalledWith('/admin/queues'));
    const call = fetchMock.mock.calls.find(([input]) => String(input).endsWith('/api/admin/queue-board/session'));
    expect(new Headers(call?.[1]?.headers).get('Authorization')).toBe('Bearer token-admin');
  });

  it('says why when the service refuses', async () => {
    signInAs('admin');
    mockCacheApi({
      'POST /api/admin/queue-board/session': () =>
        jsonResponse(403, { code: 'FORBIDDEN', message: 'The queue board is for admins', correlationId: 'c' }),
    });
    const { user } = renderApp('/warming');
    await user.click(await screen.findByRole('link', { name: 'Queue board' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The queue board is for admins');
  });

  it('is not offered to operators', async () => {
    signInAs('operator');
    mockCacheApi();
    renderApp('/warming');
    await screen.findByRole('heading', { name: 'Cache Warming Control' });
    expect(screen.queryByRole('link', { name: 'Queue board' })).toBeNull();
  });
});

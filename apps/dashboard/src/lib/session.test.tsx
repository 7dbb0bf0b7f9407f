import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { datasource, errorBody, user } from '../test/fixtures';
import { jsonResponse, mockApi, renderApp, signInAs } from '../test/render';
import { SESSION_EXPIRED_MESSAGE } from './session';

describe('session', () => {
  it('sends the user to /login with an explanation when the API answers 401, and back after signing in', async () => {
    signInAs('admin', 'expired-token');
    let loggedIn = false;
    mockApi({
      'GET /api/admin/datasources': () =>
        loggedIn ? jsonResponse(200, [datasource()]) : jsonResponse(401, errorBody('UNAUTHENTICATED', 'Token expired')),
      'POST /api/auth/login': () => {
        loggedIn = true;
        return jsonResponse(200, { accessToken: 'fresh', tokenType: 'Bearer', expiresIn: 3600, user: user('admin') });
      },
    });
    const { user: ui } = renderApp('/datasources');

    expect(await screen.findByText(SESSION_EXPIRED_MESSAGE)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(sessionStorage.length).toBe(0);
    expect(screen.queryByText('Token expired')).not.toBeInTheDocument();

    await ui.type(screen.getByLabelText('Email'), 'admin@example.com');
    await ui.type(screen.getByLabelText('Password'), 'Admin-Passw0rd!');
    await ui.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('link', { name: 'Revenue Analytics' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/datasources');
  });

  it('sends the bearer token with API calls', async () => {
    signInAs('viewer', 'abc123');
    const fetchMock = mockApi({ 'GET /api/admin/datasources': () => jsonResponse(200, []) });
    renderApp('/datasources');

    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    const [, init] = fetchMock.mock.calls[0]!;
    expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer abc123');
  });

  it('signs out to the sign-in page without the expiry message, ending the token on the server', async () => {
    signInAs('admin', 'session-token');
    const fetchMock = mockApi({ 'POST /api/auth/logout': () => new Response(null, { status: 204 }) });
    const { user: ui } = renderApp('/cache');

    await ui.click(screen.getByRole('button', { name: 'Sign out' }));
    const logout = fetchMock.mock.calls.find(([url]) => String(url).endsWith('/api/auth/logout'));
    expect(new Headers(logout?.[1]?.headers).get('Authorization')).toBe('Bearer session-token');

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
    expect(screen.queryByText(SESSION_EXPIRED_MESSAGE)).not.toBeInTheDocument();
    expect(sessionStorage.length).toBe(0);
  });
});

import type { Role } from '@ccc/shared-types';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { vi, type Mock } from 'vitest';
import { App } from '../App';
import { createQueryClient } from '../lib/query-client';
import { sessionStore } from '../lib/session';
import { user } from './fixtures';

type Handler = (request: { method: string; url: URL; body: unknown }) => Response | Promise<Response>;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Replaces `fetch` with a router over "METHOD /path" keys; unknown routes answer 404 and fail loudly. */
/** What every signed-in page asks for (the navigation's open-alert count): none open, unless a test says otherwise. */
const SHELL_ROUTES: Record<string, Handler> = {
  'GET /api/admin/monitoring/alerts': ({ url }) =>
    jsonResponse(200, { items: [], total: 0, page: 1, pageSize: Number(url.searchParams.get('pageSize') ?? 50) }),
};

export function mockApi(routes: Record<string, Handler>): Mock<typeof fetch> {
  const fetchMock = vi.fn<typeof fetch>(async (input, init) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const handler = routes[`${method} ${url.pathname}`] ?? SHELL_ROUTES[`${method} ${url.pathname}`];
    if (!handler) throw new Error(`Unexpected request ${method} ${url.pathname}`);
    return handler({ method, url, body });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

export function signInAs(role: Role, token = `token-${role}`): void {
  sessionStore.start({ token, user: user(role), expiresAt: Date.now() + 3_600_000 });
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname}</output>;
}

/** Renders the whole app at `path`, as a user would open it. */
export function renderApp(path: string) {
  const events = userEvent.setup();
  const result = render(
    <MemoryRouter initialEntries={[path]}>
      <App queryClient={createQueryClient()} />
      <LocationProbe />
    </MemoryRouter>,
  );
  return { user: events, ...result };
}

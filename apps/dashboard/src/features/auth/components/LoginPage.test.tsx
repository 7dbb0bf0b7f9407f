import type { LoginResponse } from '@ccc/shared-types';
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { errorBody, user } from '../../../test/fixtures';
import { jsonResponse, mockApi, renderApp } from '../../../test/render';

describe('sign-in page', () => {
  it('shows the server error message when the credentials are rejected', async () => {
    mockApi({
      'POST /api/auth/login': () => jsonResponse(401, errorBody('UNAUTHENTICATED', 'Invalid email or password')),
    });
    const { user: ui } = renderApp('/login');

    await ui.type(screen.getByLabelText('Email'), 'admin@example.com');
    await ui.type(screen.getByLabelText('Password'), 'wrong-password');
    await ui.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid email or password');
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });

  it('signs in and lands on the dashboard with the user shown in the header', async () => {
    const login: LoginResponse = {
      accessToken: 'jwt-token',
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: user('operator'),
    };
    const fetchMock = mockApi({ 'POST /api/auth/login': () => jsonResponse(200, login) });
    const { user: ui } = renderApp('/login');

    await ui.type(screen.getByLabelText('Email'), ' operator@example.com ');
    await ui.type(screen.getByLabelText('Password'), 'Secret-1!');
    await ui.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Analytics Cache' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/cache');
    expect(screen.getByTestId('current-user')).toHaveTextContent('operator@example.com operator');
    const [, init] = fetchMock.mock.calls[0]!;
    expect(JSON.parse(String(init?.body))).toEqual({ email: 'operator@example.com', password: 'Secret-1!' });
  });

  it('sends unauthenticated visitors to the sign-in page', async () => {
    mockApi({});
    renderApp('/datasources');

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });
});

import { useState, type FormEvent } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import type { LoginLocationState } from '../../../components/RequireAuth';
import { errorMessage } from '../../../lib/query-client';
import { SESSION_EXPIRED_MESSAGE, useSession } from '../../../lib/session';
import { useLogin } from '../hooks/useLogin';

export function LoginPage() {
  const { session } = useSession();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginLocationState;
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (session) return <Navigate to={state.from ?? '/'} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  };

  return (
    <main className="login-page">
      <form className="card login-card" onSubmit={onSubmit} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Cache Command Center</h1>
        <p className="muted">Sign in to continue.</p>
        {state.expired && !login.isError && (
          <div className="callout callout-info" role="status">
            {SESSION_EXPIRED_MESSAGE}
          </div>
        )}
        {login.isError && (
          <div className="callout callout-error" role="alert">
            {errorMessage(login.error)}
          </div>
        )}
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={login.isPending || !email || !password}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

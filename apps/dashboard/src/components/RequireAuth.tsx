import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useSession } from '../lib/session';

export interface LoginLocationState {
  /** Where to go back to after signing in. */
  from?: string;
  /** Set when the previous session ended because the API rejected the token. */
  expired?: boolean;
}

/** Renders the child routes for a signed-in user; everyone else goes to /login. */
export function RequireAuth() {
  const { session, endReason } = useSession();
  const location = useLocation();
  if (!session) {
    const state: LoginLocationState =
      endReason === 'signed-out'
        ? {}
        : { from: `${location.pathname}${location.search}`, expired: endReason === 'expired' };
    return <Navigate to="/login" replace state={state} />;
  }
  return <Outlet />;
}

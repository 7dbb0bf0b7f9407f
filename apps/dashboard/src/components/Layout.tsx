import { NavLink, Outlet } from 'react-router-dom';
import { useSession } from '../lib/session';
import { Toaster } from './Toaster';

export const NAV_TABS = [
  { to: '/cache', label: 'Analytics Cache' },
  { to: '/warming', label: 'Warming' },
  { to: '/redis', label: 'Redis' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/thresholds', label: 'Thresholds' },
  { to: '/recommendations', label: 'Recommendations' },
  { to: '/performance', label: 'Performance' },
  { to: '/indexes', label: 'Indexes' },
  { to: '/efficiency', label: 'Efficiency' },
  { to: '/datasources', label: 'Datasources' },
  { to: '/audit', label: 'Audit' },
] as const;

export function Layout() {
  const { user, signOut } = useSession();
  return (
    <div className="app">
      <header className="app-header">
        <span className="app-title">Cache Command Center</span>
        {user && (
          <div className="app-user">
            <span data-testid="current-user">
              {user.email} <span className="badge badge-neutral">{user.role}</span>
            </span>
            <button type="button" className="button button-secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <nav className="app-nav" aria-label="Main">
        {NAV_TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className="app-nav-tab">
            {tab.label}
          </NavLink>
        ))}
      </nav>
      <main className="app-main">
        <Outlet />
      </main>
      <Toaster />
    </div>
  );
}

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { useOpenAlerts } from '../features/monitoring/hooks/useAlerts';
import { openAlertCount } from '../features/monitoring/open-alerts';
import { useSession } from '../lib/session';
import { Toaster } from './Toaster';
import { Badge } from './ui/Badge';

export const NAV_TABS = [
  { to: '/cache', label: 'Analytics Cache' },
  { to: '/warming', label: 'Warming' },
  { to: '/redis', label: 'Redis' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/thresholds', label: 'Thresholds' },
  { to: '/remediation', label: 'Remediation' },
  { to: '/recommendations', label: 'Recommendations' },
  { to: '/performance', label: 'Performance' },
  { to: '/indexes', label: 'Indexes' },
  { to: '/efficiency', label: 'Efficiency' },
  { to: '/datasources', label: 'Datasources' },
  { to: '/audit', label: 'Audit' },
] as const;

/**
 * The shell: header, navigation, page. On a narrow screen the navigation folds behind a Menu button
 * (twelve links would take six rows of a phone): opening it moves focus to its first link; choosing a
 * page, or Escape (focus back on the button), folds it again.
 */
export function Layout() {
  const { user, signOut } = useSession();
  const openAlerts = useOpenAlerts();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const nav = useRef<HTMLElement>(null);
  useEffect(() => {
    if (menuOpen) nav.current?.querySelector('a')?.focus();
  }, [menuOpen]);
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && menuOpen) {
      setMenuOpen(false);
      menuButton.current?.focus();
    }
  };
  return (
    <div className="app">
      <header className="app-header">
        <button
          ref={menuButton}
          type="button"
          className="app-menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          <span aria-hidden="true">☰</span> Menu
          {openAlerts.count > 0 && <OpenAlertsBadge count={openAlerts.count} />}
        </button>
        <span className="app-title">Cache Command Center</span>
        {user && (
          <div className="app-user">
            <span data-testid="current-user" className="app-user-name">
              {user.email} <Badge tone="neutral">{user.role}</Badge>
            </span>
            <button type="button" className="button button-secondary" onClick={signOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <nav ref={nav} id="main-nav" className="app-nav" aria-label="Main" data-open={menuOpen} onKeyDown={closeOnEscape}>
        {NAV_TABS.map((tab) => (
          <NavLink key={tab.to} to={tab.to} className="app-nav-tab" onClick={() => setMenuOpen(false)}>
            {tab.label}
            {tab.to === '/alerts' && openAlerts.count > 0 && (
              <OpenAlertsBadge count={openAlerts.count} testId="nav-open-alerts" />
            )}
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

/**
 * The open-alert count beside a label: "Alerts 2" on screen, "Alerts (2 open alerts)" as the accessible name. The
 * space before it is a text node of its own: browsers and jsdom agree on the name only then.
 */
function OpenAlertsBadge({ count, testId }: { count: number; testId?: string }) {
  return (
    <>
      {' '}
      <Badge tone="error" className="nav-count" testId={testId}>
        <span aria-hidden="true">{count}</span>
        <span className="visually-hidden">({openAlertCount(count)})</span>
      </Badge>
    </>
  );
}

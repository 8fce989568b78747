// The signed-in frame: header with navigation, who is signed in and sign-out;
// the page for the current path below it.
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Button } from './components/Button.js';
import { LogOutIcon } from './components/Icons.js';
import { Logo } from './components/Logo.js';
import { initials } from './format.js';
import { AccountPage } from './pages/AccountPage.js';
import { AdminPage } from './pages/admin/AdminPage.js';
import { AuditPage } from './pages/admin/AuditPage.js';
import { CatalogPage } from './pages/admin/CatalogPage.js';
import { FleetPage } from './pages/admin/FleetPage.js';
import { SettingsPage } from './pages/admin/SettingsPage.js';
import { UsersPage } from './pages/admin/UsersPage.js';
import { EnvironmentDetailPage } from './pages/EnvironmentDetailPage.js';
import { EnvironmentsPage } from './pages/EnvironmentsPage.js';
import { LaunchPage } from './pages/LaunchPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { Link, usePathname } from './router.js';
import { useSession } from './session/session.js';

const sections = [
  { path: '/environments', title: 'Environments' },
  { path: '/account', title: 'Account' },
  { path: '/admin', title: 'Admin', adminOnly: true },
];

// Admin pages exist only for admins: for anyone else they are not found.
const adminRoutes: Record<string, { title: string; element: ReactNode }> = {
  '/admin': { title: 'Admin', element: <AdminPage /> },
  '/admin/catalog': { title: 'Catalog · Admin', element: <CatalogPage /> },
  '/admin/users': { title: 'Users · Admin', element: <UsersPage /> },
  '/admin/settings': { title: 'Settings · Admin', element: <SettingsPage /> },
  '/admin/fleet': { title: 'Fleet · Admin', element: <FleetPage /> },
  '/admin/audit': { title: 'Audit log · Admin', element: <AuditPage /> },
};

interface Route {
  /** The main section it belongs to, for the navigation. */
  section: string;
  title: string;
  element: ReactNode;
}

function routeFor(pathname: string, isAdmin: boolean): Route | undefined {
  const path = pathname === '/' ? '/environments' : pathname.replace(/\/+$/, '');
  if (path === '/environments')
    return { section: path, title: 'Environments', element: <EnvironmentsPage /> };
  if (path === '/environments/new')
    return { section: '/environments', title: 'Launch', element: <LaunchPage /> };
  const detail = /^\/environments\/([a-z0-9-]{1,63})$/.exec(path);
  if (detail?.[1])
    return {
      section: '/environments',
      title: 'Environment',
      element: <EnvironmentDetailPage key={detail[1]} id={detail[1]} />,
    };
  if (path === '/account') return { section: path, title: 'Account', element: <AccountPage /> };
  if (isAdmin && (path === '/admin' || path.startsWith('/admin/'))) {
    const admin = adminRoutes[path];
    if (admin) return { section: '/admin', title: admin.title, element: admin.element };
  }
  return undefined;
}

export function AppShell() {
  const { me, signOut } = useSession();
  const pathname = usePathname();
  const isAdmin = me.role === 'admin';
  const route = routeFor(pathname, isAdmin);
  const [signingOut, setSigningOut] = useState(false);
  const mainRef = useRef<HTMLElement>(null);

  // A new page: say so in the title, and move focus to it for keyboard and screen reader users.
  const title = route?.title ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · Lablease`;
  }, [title]);
  const shownPath = useRef(pathname);
  useEffect(() => {
    if (shownPath.current === pathname) return;
    shownPath.current = pathname;
    mainRef.current?.focus({ preventScroll: true });
  }, [pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Logo href="/" />
          <nav className="app-nav" aria-label="Main">
            {sections
              .filter((p) => !p.adminOnly || isAdmin)
              .map((p) => (
                <Link
                  key={p.path}
                  href={p.path}
                  aria-current={route?.section === p.path ? 'page' : undefined}
                >
                  {p.title}
                </Link>
              ))}
          </nav>
          <div className="user-menu">
            <div className="user-chip">
              <span className="avatar" aria-hidden="true">
                {initials(me.name, me.email)}
              </span>
              <span className="user-chip-text">
                <strong>{me.name || me.email}</strong>
                <span>
                  {me.role === 'admin' ? 'Admin' : 'Member'} · {me.tier} tier
                </span>
              </span>
            </div>
            <Button
              variant="ghost"
              size="small"
              busy={signingOut}
              onClick={async () => {
                setSigningOut(true);
                await signOut();
              }}
              aria-label={`Sign out ${me.name || me.email}`}
            >
              <LogOutIcon size={16} />
              <span>Sign out</span>
            </Button>
          </div>
        </div>
      </header>
      <main className="app-main" id="main" ref={mainRef} tabIndex={-1}>
        {route ? route.element : <NotFoundPage />}
      </main>
    </>
  );
}

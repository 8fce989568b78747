// The signed-in frame: header with navigation, who is signed in and sign-out;
// the page for the current path below it.
import { useEffect, useRef, useState } from 'react';
import { Button } from './components/Button.js';
import { LogOutIcon } from './components/Icons.js';
import { Logo } from './components/Logo.js';
import { initials } from './format.js';
import { AccountPage } from './pages/AccountPage.js';
import { AdminPage } from './pages/AdminPage.js';
import { EnvironmentsPage } from './pages/EnvironmentsPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { Link, usePathname } from './router.js';
import { useSession } from './session/session.js';

interface Page {
  path: string;
  title: string;
  adminOnly?: boolean;
  render: () => React.ReactNode;
}

const pages: Page[] = [
  { path: '/environments', title: 'Environments', render: () => <EnvironmentsPage /> },
  { path: '/account', title: 'Account', render: () => <AccountPage /> },
  { path: '/admin', title: 'Admin', adminOnly: true, render: () => <AdminPage /> },
];

function pageFor(pathname: string, isAdmin: boolean): Page | undefined {
  const path = pathname === '/' ? '/environments' : pathname.replace(/\/+$/, '');
  return pages.find((p) => p.path === path && (!p.adminOnly || isAdmin));
}

export function AppShell() {
  const { me, signOut } = useSession();
  const pathname = usePathname();
  const isAdmin = me.role === 'admin';
  const page = pageFor(pathname, isAdmin);
  const [signingOut, setSigningOut] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // A new page: say so in the title, and move focus to it for keyboard and screen reader users.
  useEffect(() => {
    document.title = `${page?.title ?? 'Not found'} · Lablease`;
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [page]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Logo href="/" />
          <nav className="app-nav" aria-label="Main">
            {pages
              .filter((p) => !p.adminOnly || isAdmin)
              .map((p) => (
                <Link key={p.path} href={p.path} aria-current={page === p ? 'page' : undefined}>
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
        {page ? page.render() : <NotFoundPage />}
      </main>
    </>
  );
}

// The frame of every admin screen: its title, a line on what it is for, and
// the admin sections as tabs (links, so each has its own address).
import type { ReactNode } from 'react';
import { Link, usePathname } from '../../router.js';

export const adminSections = [
  { path: '/admin', title: 'Overview' },
  { path: '/admin/catalog', title: 'Catalog' },
  { path: '/admin/users', title: 'Users' },
  { path: '/admin/settings', title: 'Settings and tiers' },
  { path: '/admin/fleet', title: 'Fleet' },
  { path: '/admin/audit', title: 'Audit log' },
];

export function AdminLayout({
  title,
  description,
  actions,
  children,
}: {
  title: string;
  description: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const pathname = usePathname().replace(/\/+$/, '');
  return (
    <>
      <nav className="admin-tabs" aria-label="Admin sections">
        {adminSections.map((s) => (
          <Link key={s.path} href={s.path} aria-current={pathname === s.path ? 'page' : undefined}>
            {s.title}
          </Link>
        ))}
      </nav>
      <div className="page-header">
        <div>
          <h1>{title}</h1>
          <p>{description}</p>
        </div>
        {actions}
      </div>
      <div className="stack" style={{ gap: '1.5rem' }}>
        {children}
      </div>
    </>
  );
}

// The operator's corner: the fleet at a glance and a door to each section.
import type { ReactNode } from 'react';
import {
  ActivityIcon,
  GridIcon,
  ListIcon,
  SlidersIcon,
  UsersIcon,
} from '../../components/Icons.js';
import { Link } from '../../router.js';
import { useSession } from '../../session/session.js';
import { AdminLayout } from './AdminLayout.js';
import { FleetCounts } from './FleetCounts.js';

const sections: Array<{ path: string; title: string; description: string; icon: ReactNode }> = [
  {
    path: '/admin/catalog',
    title: 'Catalog',
    description: 'Templates people can launch: image, port, default and maximum resources, tiers.',
    icon: <GridIcon />,
  },
  {
    path: '/admin/users',
    title: 'Users',
    description: 'Everyone who has signed in: role, tier, local accounts and disabling one.',
    icon: <UsersIcon />,
  },
  {
    path: '/admin/settings',
    title: 'Settings and tiers',
    description: 'Limits per tier, idle timeouts, maximum lifetimes and the cull warning.',
    icon: <SlidersIcon />,
  },
  {
    path: '/admin/fleet',
    title: 'Fleet',
    description: 'Every environment on the cluster: owner, phase, activity; stop, start, delete.',
    icon: <ActivityIcon />,
  },
  {
    path: '/admin/audit',
    title: 'Audit log',
    description: 'Who did what and when, with filters by user, action and target.',
    icon: <ListIcon />,
  },
];

export function AdminPage() {
  const { info } = useSession();
  return (
    <AdminLayout
      title="Admin"
      description="Run this installation: the catalog, people, limits and what happens on the cluster."
    >
      <FleetCounts />
      <ul className="admin-grid" aria-label="Admin sections">
        {sections.map((s) => (
          <li key={s.path}>
            <Link className="card admin-tile" href={s.path}>
              <span className="tile-icon" aria-hidden="true">
                {s.icon}
              </span>
              <strong className="admin-tile-title">{s.title}</strong>
              <span>{s.description}</span>
            </Link>
          </li>
        ))}
      </ul>
      {info && (
        <section className="card card-section" aria-labelledby="platform-title">
          <h2 id="platform-title">This installation</h2>
          <dl className="env-meta" style={{ marginTop: '0.9rem' }}>
            <dt>Version</dt>
            <dd>
              {info.version} ({info.stage}, {info.commit})
            </dd>
            <dt>Database</dt>
            <dd>{info.backends.dynamodb.engine}</dd>
            <dt>Queue</dt>
            <dd>{info.backends.queue.engine}</dd>
            <dt>Cluster</dt>
            <dd>
              {info.backends.cluster.kind}
              {info.backends.cluster.server ? ` · ${info.backends.cluster.server}` : ''}
            </dd>
          </dl>
        </section>
      )}
    </AdminLayout>
  );
}

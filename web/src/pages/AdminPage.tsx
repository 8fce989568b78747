// The operator's corner. The admin API (/api/v1/admin/…) is not built yet, so
// these are signposts that say so rather than screens that pretend.
import type { ReactNode } from 'react';
import { Alert } from '../components/Alert.js';
import { ActivityIcon, GridIcon, ListIcon, SlidersIcon, UsersIcon } from '../components/Icons.js';
import { useSession } from '../session/session.js';

const sections: Array<{ id: string; title: string; description: string; icon: ReactNode }> = [
  {
    id: 'catalog',
    title: 'Catalog',
    description: 'Templates people can launch: image, port, default and maximum resources, tiers.',
    icon: <GridIcon />,
  },
  {
    id: 'users',
    title: 'Users',
    description: 'Everyone who has signed in: role, tier, and disabling an account.',
    icon: <UsersIcon />,
  },
  {
    id: 'settings',
    title: 'Settings and tiers',
    description: 'Limits per tier, idle timeouts, maximum lifetimes and the cull warning.',
    icon: <SlidersIcon />,
  },
  {
    id: 'fleet',
    title: 'Fleet',
    description: 'Every environment on the cluster, with counts by phase and template.',
    icon: <ActivityIcon />,
  },
  {
    id: 'audit',
    title: 'Audit log',
    description: 'Who did what and when, with filters by user, action and time.',
    icon: <ListIcon />,
  },
];

export function AdminPage() {
  const { info } = useSession();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Admin</h1>
          <p>Run this installation: the catalog, people, limits and what happens on the cluster.</p>
        </div>
      </div>
      <div className="stack" style={{ gap: '1.5rem' }}>
        <Alert tone="info" title="Coming soon">
          The admin API is not available on this server yet, so these sections are placeholders.
          They will come alive here as it lands.
        </Alert>
        <ul className="admin-grid" aria-label="Admin sections">
          {sections.map((s) => (
            <li key={s.id}>
              <section className="card admin-tile" aria-labelledby={`admin-${s.id}`}>
                <span className="tile-icon" aria-hidden="true">
                  {s.icon}
                </span>
                <h2 id={`admin-${s.id}`}>{s.title}</h2>
                <p>{s.description}</p>
                <span className="chip" style={{ alignSelf: 'flex-start' }}>
                  Not available yet
                </span>
              </section>
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
      </div>
    </>
  );
}

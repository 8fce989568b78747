// The fleet: every live environment with its owner, template, phase, last
// activity and cull time; filters by phase, template and owner; stop, start
// and delete on anyone's environment. Live, like the user's own list.
import { useState } from 'react';
import type { AdminTemplate, FleetEntry, OrphanVolumes } from '../../api/adminTypes.js';
import { request } from '../../api/client.js';
import type { Collection, Environment } from '../../api/types.js';
import { usePolling } from '../../api/usePolling.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { isChanging, StatusBadge } from '../../components/StatusBadge.js';
import { ago, formatDate, formatDateTime, fromNow } from '../../format.js';
import { formatCpu, formatMemory } from '../../quantity.js';
import { AdminLayout } from './AdminLayout.js';
import { FleetCounts } from './FleetCounts.js';

const PAGE = 100;
const keepAliveChoices = [
  { days: 1, label: '1 day' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
];

/** An admin's keep-alive that still holds. */
const keptAlive = (env: Environment, now = Date.now()) =>
  env.keepAliveUntil && new Date(env.keepAliveUntil).getTime() > now
    ? env.keepAliveUntil
    : undefined;

const phases = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed', 'Deleting'];

export function FleetPage() {
  const [phase, setPhase] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [owner, setOwner] = useState<{ id: string; email: string }>();
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (phase) params.set('phase', phase);
  if (templateId) params.set('templateId', templateId);
  if (owner) params.set('ownerId', owner.id);
  const fleet = usePolling<Collection<FleetEntry>>(`/api/v1/admin/environments?${params}`, {
    isChanging: (page) => page.items.some((e) => isChanging(e.environment)),
  });
  const templates = useResource<Collection<AdminTemplate>>('/api/v1/admin/templates');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [deleting, setDeleting] = useState<Environment>();
  const [keeping, setKeeping] = useState<Environment>();
  const [keepDays, setKeepDays] = useState(7);
  const templateName = (id: string) => templates.data?.items.find((t) => t.id === id)?.name ?? id;

  async function keepAlive(env: Environment, days: number | null) {
    setBusy(`keep:${env.id}`);
    setError(undefined);
    setNotice(undefined);
    try {
      // A minute short of the limit, so the API's "at most N days ahead" holds when it checks.
      const until = days === null ? null : new Date(Date.now() + days * 86_400_000 - 60_000);
      await request(`/api/v1/admin/environments/${encodeURIComponent(env.id)}/keep-alive`, {
        method: 'POST',
        body: { until: until?.toISOString() ?? null },
      });
      setNotice(
        until
          ? `“${env.name}” is kept running until ${formatDate(until.toISOString())}, however idle.`
          : `“${env.name}” stops when idle again, like any other.`,
      );
      fleet.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
      setKeeping(undefined);
    }
  }

  async function act(env: Environment, action: 'start' | 'stop' | 'delete') {
    setBusy(`${action}:${env.id}`);
    setError(undefined);
    setNotice(undefined);
    const base = `/api/v1/admin/environments/${encodeURIComponent(env.id)}`;
    try {
      if (action === 'delete') await request(base, { method: 'DELETE' });
      else await request(`${base}/${action}`, { method: 'POST' });
      setNotice(
        action === 'delete'
          ? `Deleting “${env.name}”; its volume is kept.`
          : action === 'stop'
            ? `Stopping “${env.name}”; its volume is kept.`
            : `Starting “${env.name}”.`,
      );
      fleet.refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
      setDeleting(undefined);
    }
  }

  const items = fleet.data?.items ?? [];

  return (
    <AdminLayout
      title="Fleet"
      description="Every environment on the cluster, whoever owns it. Stopping keeps the owner’s files."
    >
      <FleetCounts />
      {notice && <Alert tone="success" title={notice} />}
      {error !== undefined && <ErrorAlert error={error} />}
      <section className="card" aria-labelledby="fleet-title">
        <div className="card-section stack">
          <h2 id="fleet-title">Environments</h2>
          <div className="filter-bar">
            <div className="field">
              <label htmlFor="fleet-phase">Phase</label>
              <select id="fleet-phase" value={phase} onChange={(e) => setPhase(e.target.value)}>
                <option value="">Any phase</option>
                {phases.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="fleet-template">Template</label>
              <select
                id="fleet-template"
                value={templateId}
                onChange={(e) => setTemplateId(e.target.value)}
              >
                <option value="">Any template</option>
                {templates.data?.items.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
            {owner && (
              <div className="field">
                <span className="field-label">Owner</span>
                <span className="chip">
                  {owner.email}
                  <button
                    type="button"
                    className="chip-remove"
                    onClick={() => setOwner(undefined)}
                    aria-label={`Show every owner, not only ${owner.email}`}
                  >
                    ×
                  </button>
                </span>
              </div>
            )}
          </div>
        </div>
        {fleet.error && (
          <div className="card-section">
            <ErrorAlert error={fleet.error} />
          </div>
        )}
        {!fleet.data ? (
          <p className="muted card-section" role="status">
            Loading the fleet…
          </p>
        ) : items.length === 0 ? (
          <p className="muted card-section">No environment matches.</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table" aria-labelledby="fleet-title">
              <thead>
                <tr>
                  <th scope="col">Environment</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Template</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Last activity</th>
                  <th scope="col">Stops</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map(({ environment: env, owner: o }) => (
                  <tr key={env.id}>
                    <td className="td-primary" data-label="Environment">
                      {env.name}
                      <span className="step-message">
                        {formatCpu(env.resources.cpu)} · {formatMemory(env.resources.memory)} ·{' '}
                        <span className="mono">{env.id}</span>
                      </span>
                    </td>
                    <td data-label="Owner">
                      <span>
                        {o ? (
                          <button
                            type="button"
                            className="link-button break"
                            onClick={() => setOwner({ id: o.id, email: o.email })}
                            aria-label={`Show only environments of ${o.email}`}
                          >
                            {o.email}
                          </button>
                        ) : (
                          'Unknown'
                        )}
                        {o?.disabled && <span className="step-message">Account disabled</span>}
                      </span>
                    </td>
                    <td data-label="Template">
                      <span>
                        {templateName(env.templateId)}
                        {env.image && (
                          <span className="step-message break">
                            custom image <code>{env.image}</code>
                          </span>
                        )}
                      </span>
                    </td>
                    <td data-label="Phase">
                      <StatusBadge env={env} />
                    </td>
                    <td data-label="Last activity">
                      {env.status.lastActivityAt ? ago(env.status.lastActivityAt) : '—'}
                    </td>
                    <td data-label="Stops">
                      {keptAlive(env) ? (
                        <span title={formatDateTime(keptAlive(env) ?? '')}>
                          Kept alive until {formatDate(keptAlive(env) ?? '')}
                        </span>
                      ) : env.status.cullAt && env.status.phase === 'Running' ? (
                        <time
                          dateTime={env.status.cullAt}
                          title={formatDateTime(env.status.cullAt)}
                        >
                          {fromNow(env.status.cullAt)}
                        </time>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="td-actions">
                      <span className="row row-end">
                        {env.desiredState === 'running' ? (
                          <Button
                            size="small"
                            busy={busy === `stop:${env.id}`}
                            onClick={() => act(env, 'stop')}
                            aria-label={`Stop ${env.name} of ${o?.email ?? 'unknown'}`}
                          >
                            Stop
                          </Button>
                        ) : (
                          env.desiredState === 'stopped' && (
                            <Button
                              size="small"
                              busy={busy === `start:${env.id}`}
                              onClick={() => act(env, 'start')}
                              aria-label={`Start ${env.name} of ${o?.email ?? 'unknown'}`}
                            >
                              Start
                            </Button>
                          )
                        )}
                        {env.desiredState !== 'deleted' &&
                          (keptAlive(env) ? (
                            <Button
                              size="small"
                              busy={busy === `keep:${env.id}`}
                              onClick={() => keepAlive(env, null)}
                              aria-label={`End keep-alive of ${env.name} of ${o?.email ?? 'unknown'}`}
                            >
                              End keep-alive
                            </Button>
                          ) : (
                            <Button
                              size="small"
                              onClick={() => setKeeping(env)}
                              aria-label={`Keep alive ${env.name} of ${o?.email ?? 'unknown'}`}
                            >
                              Keep alive…
                            </Button>
                          ))}
                        {env.desiredState !== 'deleted' && (
                          <Button
                            size="small"
                            variant="quiet-danger"
                            onClick={() => setDeleting(env)}
                            aria-label={`Delete ${env.name} of ${o?.email ?? 'unknown'}`}
                          >
                            Delete
                          </Button>
                        )}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {fleet.data?.nextCursor && (
          <p className="muted card-section">
            Showing the first {PAGE}. Filter by phase, template or owner to narrow the list.
          </p>
        )}
      </section>
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete environment"
        busy={busy === `delete:${deleting?.id}`}
        onConfirm={() => deleting && act(deleting, 'delete')}
        onCancel={() => setDeleting(undefined)}
      >
        <p>Its compute is removed. The owner’s workspace volume is kept.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={keeping !== undefined}
        title={`Keep “${keeping?.name ?? ''}” running?`}
        confirmLabel="Keep it alive"
        confirmVariant="primary"
        busy={busy === `keep:${keeping?.id}`}
        onConfirm={() => keeping && keepAlive(keeping, keepDays)}
        onCancel={() => setKeeping(undefined)}
      >
        <p>
          The reaper neither warns about nor stops it for being idle or old until then, e.g. for a
          long computation. It can still be stopped by hand.
        </p>
        <div className="field">
          <label htmlFor="keep-alive-days">For</label>
          <select
            id="keep-alive-days"
            value={keepDays}
            onChange={(e) => setKeepDays(Number(e.target.value))}
          >
            {keepAliveChoices.map((c) => (
              <option key={c.days} value={c.days}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      </ConfirmDialog>
      <OrphanVolumesSection />
    </AdminLayout>
  );
}

/** Volumes the reconciler found without an environment: listed, never deleted automatically. */
function OrphanVolumesSection() {
  const orphans = useResource<OrphanVolumes>('/api/v1/admin/volumes/orphans');
  if (orphans.error !== undefined) return <ErrorAlert error={orphans.error} />;
  if (!orphans.data) return null;
  const { items, count, since } = orphans.data;
  return (
    <section className="card" aria-labelledby="orphans-title">
      <div className="card-section">
        <h2 id="orphans-title">Volumes without an environment</h2>
        <p className="muted">
          {count === 0
            ? 'None: every workspace volume on the cluster belongs to an environment.'
            : `${count} workspace volume${count === 1 ? '' : 's'} on the cluster belong${count === 1 ? 's' : ''} to no environment. They may hold someone’s files, so nothing deletes them automatically.`}
          {since ? ` Last checked ${ago(since)}.` : ''}
        </p>
      </div>
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="responsive-table" aria-labelledby="orphans-title">
            <thead>
              <tr>
                <th scope="col">Volume</th>
                <th scope="col">Namespace</th>
                <th scope="col">Environment</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr key={`${v.namespace}/${v.name}`}>
                  <td className="td-primary mono break" data-label="Volume">
                    {v.name}
                  </td>
                  <td className="mono break" data-label="Namespace">
                    {v.namespace}
                  </td>
                  <td className="mono" data-label="Environment">
                    {v.envId}
                  </td>
                  <td data-label="Created">{v.createdAt ? formatDate(v.createdAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

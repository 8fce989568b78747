// The fleet: every live environment with its owner, template, phase, last
// activity and cull time; filters by phase, template and owner; stop, start
// and delete on anyone's environment. Live, like the user's own list.
import { useState } from 'react';
import type { AdminTemplate, FleetEntry } from '../../api/adminTypes.js';
import { request } from '../../api/client.js';
import type { Collection, Environment } from '../../api/types.js';
import { usePolling } from '../../api/usePolling.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { isChanging, StatusBadge } from '../../components/StatusBadge.js';
import { ago, formatDateTime, fromNow } from '../../format.js';
import { formatCpu, formatMemory } from '../../quantity.js';
import { AdminLayout } from './AdminLayout.js';
import { FleetCounts } from './FleetCounts.js';

const PAGE = 100;
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
  const templateName = (id: string) => templates.data?.items.find((t) => t.id === id)?.name ?? id;

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
                    </td>
                    <td data-label="Template">{templateName(env.templateId)}</td>
                    <td data-label="Phase">
                      <StatusBadge env={env} />
                    </td>
                    <td data-label="Last activity">
                      {env.status.lastActivityAt ? ago(env.status.lastActivityAt) : '—'}
                    </td>
                    <td data-label="Stops">
                      {env.status.cullAt && env.status.phase === 'Running' ? (
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
    </AdminLayout>
  );
}

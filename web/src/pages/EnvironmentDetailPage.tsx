// One environment, live: its progress while it comes up (volume, scheduling,
// image, ready — or the failure with the cluster's message and what to do),
// its recent events, URL, volume and actions. Polled with ETag: fast while it
// changes, slow once it settles.
import { useEffect, useState } from 'react';
import { request } from '../api/client.js';
import type { Collection, Condition, Environment, Template } from '../api/types.js';
import { usePolling } from '../api/usePolling.js';
import { Alert, ErrorAlert } from '../components/Alert.js';
import { CullWarning } from '../components/CullWarning.js';
import { EnvironmentActions, openUrl } from '../components/EnvironmentActions.js';
import { AlertIcon, CheckIcon, CircleIcon } from '../components/Icons.js';
import { isChanging, StatusBadge } from '../components/StatusBadge.js';
import { TemplateIcon } from '../components/TemplateIcon.js';
import { ago, durationSince, formatDateTime, fromNow } from '../format.js';
import { formatCpu, formatMemory } from '../quantity.js';
import { Link, navigate } from '../router.js';

const steps: Array<{ condition: string; label: string; doing: string }> = [
  { condition: 'VolumeBound', label: 'Workspace volume', doing: 'Preparing your workspace volume' },
  { condition: 'Scheduled', label: 'Scheduled', doing: 'Finding room on the cluster' },
  { condition: 'ImageReady', label: 'Image pulled', doing: 'Pulling the image' },
  { condition: 'Ready', label: 'Ready', doing: 'Starting the application' },
];

/** What a person can do about a failure, by the cluster's reason. */
function adviceFor(reason: string): string {
  if (/ImagePull|ErrImage|InvalidImageName/.test(reason))
    return 'The image could not be downloaded. Check with an administrator that the template’s image exists and is public, then start again.';
  if (/Unschedulable/.test(reason))
    return 'The cluster has no room for these resources right now. Start it again later, or launch one with less CPU or memory.';
  if (/CrashLoop|Error/.test(reason))
    return 'The application keeps stopping right after it starts. If your workspace has a startup script, check it; otherwise tell an administrator.';
  if (/Mount|Volume/.test(reason))
    return 'Your workspace volume could not be attached. Start again in a minute; your files are kept.';
  if (/Deadline/.test(reason))
    return 'This step took too long. Start again; if it keeps happening, tell an administrator.';
  return 'Start it again; if it keeps failing, tell an administrator what you see here.';
}

export function EnvironmentDetailPage({ id }: { id: string }) {
  const path = `/api/v1/environments/${encodeURIComponent(id)}`;
  const {
    data: env,
    error,
    refresh,
  } = usePolling<Environment>(path, {
    isChanging,
    fastMs: 1000,
  });
  const [template, setTemplate] = useState<Template>();

  useEffect(() => {
    if (!env?.templateId) return;
    request<Collection<Template>>('/api/v1/templates')
      .then((page) => setTemplate(page.items.find((t) => t.id === env.templateId)))
      .catch(() => {});
  }, [env?.templateId]);

  if (!env) {
    if (error?.status === 404)
      return (
        <div className="card empty-state">
          <h1>Environment not found</h1>
          <p>It may have been deleted, or the link is not for your account.</p>
          <Link className="btn btn-primary" href="/environments">
            Back to your environments
          </Link>
        </div>
      );
    return error ? (
      <ErrorAlert error={error} />
    ) : (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  }

  const { status } = env;
  const starting = env.desiredState === 'running' && status.phase !== 'Running';

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">
            <Link href="/environments">Environments</Link> /
          </p>
          <div className="row" style={{ flexWrap: 'nowrap' }}>
            <TemplateIcon template={template} fallback={env.templateId} size={44} />
            <div style={{ minWidth: 0 }}>
              <h1 className="env-title">{env.name}</h1>
              <span className="muted">{template?.name ?? env.templateId}</span>
            </div>
          </div>
        </div>
        <StatusBadge env={env} />
      </div>

      {error && <ErrorAlert error={error} />}

      <div className="detail-grid">
        <div className="stack">
          {(starting || status.failure) && (
            <section className="card card-section stack" aria-labelledby="progress-title">
              <h2 id="progress-title">{status.failure ? 'It did not start' : 'Starting up'}</h2>
              <ProgressSteps conditions={status.conditions} failed={status.failure !== null} />
              {status.failure && (
                <Alert tone="error" title={`${status.failure.reason}: ${status.failure.message}`}>
                  {adviceFor(status.failure.reason)}
                </Alert>
              )}
            </section>
          )}

          <section className="card card-section stack" aria-labelledby="actions-title">
            <h2 id="actions-title">Actions</h2>
            <CullWarning env={env} onKept={refresh} />
            <EnvironmentActions
              env={env}
              onChanged={refresh}
              onDeleted={() => navigate('/environments')}
            />
          </section>

          <section className="card card-section stack" aria-labelledby="events-title">
            <h2 id="events-title">Recent events</h2>
            {status.events.length === 0 ? (
              <p className="muted">Nothing has happened yet.</p>
            ) : (
              <ol className="event-list">
                {[...status.events].reverse().map((e) => (
                  <li key={`${e.at}-${e.reason}-${e.message}`} data-type={e.type}>
                    <span className="event-dot" aria-hidden="true" />
                    <div>
                      <strong>{e.reason}</strong>
                      {e.type === 'Warning' && <span className="visually-hidden"> (warning)</span>}
                      {e.message.replace(/\.$/, '') !== e.reason && <span> {e.message}</span>}
                      <time dateTime={e.at} title={formatDateTime(e.at)}>
                        {ago(e.at)}
                      </time>
                    </div>
                  </li>
                ))}
              </ol>
            )}
          </section>

          {status.conditions.length > 0 && (
            <section className="card" aria-labelledby="conditions-title">
              <div className="card-section" style={{ paddingBottom: '0.75rem' }}>
                <h2 id="conditions-title">Conditions</h2>
              </div>
              <div className="table-wrap">
                <table className="responsive-table" aria-labelledby="conditions-title">
                  <thead>
                    <tr>
                      <th scope="col">Condition</th>
                      <th scope="col">Status</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Since</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sortedConditions(status.conditions).map((c) => (
                      <tr key={c.type}>
                        <td className="td-primary" data-label="Condition">
                          {c.type}
                          {c.message && <span className="step-message">{c.message}</span>}
                        </td>
                        <td data-label="Status">
                          {c.status === 'True' ? 'Yes' : c.status === 'False' ? 'No' : 'Unknown'}
                        </td>
                        <td data-label="Reason">{c.reason || '—'}</td>
                        <td data-label="Since">
                          <time dateTime={c.lastTransitionTime}>{ago(c.lastTransitionTime)}</time>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </div>

        <aside className="card card-section" aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <dl className="env-meta detail-meta">
            <dt>Address</dt>
            <dd>
              {status.url ? (
                <a href={openUrl(env)} target="_blank" rel="noopener">
                  {status.url.replace(/^https?:\/\//, '')}
                </a>
              ) : (
                'Assigned when it runs'
              )}
            </dd>
            {env.image && (
              <>
                <dt>Image</dt>
                <dd>
                  <code className="break">{env.image}</code> (your own)
                </dd>
              </>
            )}
            <dt>CPU</dt>
            <dd>{formatCpu(env.resources.cpu)}</dd>
            <dt>Memory</dt>
            <dd>{formatMemory(env.resources.memory)}</dd>
            <dt>Volume</dt>
            <dd>
              {env.volume.sizeGi} GiB · <code>{env.volume.name}</code>
            </dd>
            {status.startedAt && status.phase === 'Running' && (
              <>
                <dt>Up for</dt>
                <dd>{durationSince(status.startedAt)}</dd>
              </>
            )}
            {status.lastActivityAt && (
              <>
                <dt>Last used</dt>
                <dd>{ago(status.lastActivityAt)}</dd>
              </>
            )}
            {status.cullAt && status.phase === 'Running' && (
              <>
                <dt>Stops</dt>
                <dd>{fromNow(status.cullAt)} unless used</dd>
              </>
            )}
            {env.keepAliveUntil && new Date(env.keepAliveUntil).getTime() > Date.now() && (
              <>
                <dt>Kept alive</dt>
                <dd>by an administrator until {formatDateTime(env.keepAliveUntil)}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{formatDateTime(env.createdAt)}</dd>
            {env.dataDeletion && (
              <>
                <dt>Data deleted</dt>
                <dd>after {formatDateTime(env.dataDeletion.purgeAfter)}</dd>
              </>
            )}
          </dl>
        </aside>
      </div>
    </>
  );
}

/** The start's steps in their order, anything else after them. */
function sortedConditions(conditions: Condition[]): Condition[] {
  const rank = (c: Condition) => {
    const i = steps.findIndex((s) => s.condition === c.type);
    return i < 0 ? steps.length : i;
  };
  return [...conditions].sort((a, b) => rank(a) - rank(b));
}

function ProgressSteps({ conditions, failed }: { conditions: Condition[]; failed: boolean }) {
  const byType = new Map(conditions.map((c) => [c.type, c]));
  const firstOpen = steps.findIndex((s) => byType.get(s.condition)?.status !== 'True');
  return (
    <ol className="progress-steps">
      {steps.map((step, i) => {
        const condition = byType.get(step.condition);
        const done = condition?.status === 'True';
        const current = i === firstOpen;
        const state = done ? 'done' : current ? (failed ? 'failed' : 'current') : 'todo';
        return (
          <li key={step.condition} data-state={state} aria-current={current ? 'step' : undefined}>
            <span className="step-icon" aria-hidden="true">
              {state === 'done' ? (
                <CheckIcon size={14} />
              ) : state === 'failed' ? (
                <AlertIcon size={14} />
              ) : state === 'current' ? (
                <span className="spinner" />
              ) : (
                <CircleIcon size={10} />
              )}
            </span>
            <span>
              {state === 'current' ? `${step.doing}…` : step.label}
              {state === 'current' && condition?.message && (
                <span className="step-message">{condition.message}</span>
              )}
              <span className="visually-hidden">
                {state === 'done' ? ' (done)' : state === 'failed' ? ' (failed)' : ''}
              </span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

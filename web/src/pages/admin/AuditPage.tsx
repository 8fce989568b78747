// The audit log: who did what, to what, when — newest first, filtered by the
// person (by email), the action and the target, a page at a time.
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import type { AdminUser, AuditEvent } from '../../api/adminTypes.js';
import { request } from '../../api/client.js';
import type { Collection } from '../../api/types.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { ago, formatDateTime } from '../../format.js';
import { AdminLayout } from './AdminLayout.js';

const knownActions = [
  'auth.sign-in',
  'admin.denied',
  'environment.create',
  'environment.start',
  'environment.stop',
  'environment.delete',
  'environment.cull',
  'template.create',
  'template.update',
  'template.delete',
  'settings.update',
  'user.create',
  'user.update',
  'user.disable',
  'user.enable',
  'token.create',
  'token.revoke',
];

interface Filter {
  actorId?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [filter, setFilter] = useState<Filter>({});
  const [filterError, setFilterError] = useState<string>();
  const [more, setMore] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const path = useMemo(() => {
    const params = new URLSearchParams({ limit: '50' });
    for (const [k, v] of Object.entries(filter)) if (v) params.set(k, v);
    return `/api/v1/admin/activity?${params}`;
  }, [filter]);
  const log = useResource<Collection<AuditEvent>>(path);
  // Ids read as people: the first hundred users are plenty for a label; others show their id.
  const users = useResource<Collection<AdminUser>>('/api/v1/admin/users?limit=100');
  const emailOf = (id: string) =>
    id === 'system' ? 'system' : (users.data?.items.find((u) => u.id === id)?.email ?? id);
  /** "user:<id>" read as the person's email when known. */
  const targetOf = (target: string) =>
    target.startsWith('user:') ? `user:${emailOf(target.slice('user:'.length))}` : target;

  useEffect(() => {
    setMore([]);
    setCursor(log.data?.nextCursor ?? null);
  }, [log.data]);

  async function apply(event: FormEvent) {
    event.preventDefault();
    setFilterError(undefined);
    let actorId: string | undefined;
    const who = actor.trim().toLowerCase();
    if (who === 'system') actorId = 'system';
    else if (who) {
      try {
        const found = await request<Collection<AdminUser>>(
          `/api/v1/admin/users?limit=5&email=${encodeURIComponent(who)}`,
        );
        const user = found.items.find((u) => u.email === who) ?? found.items[0];
        if (!user) {
          setFilterError(`Nobody has an email starting with “${who}”.`);
          return;
        }
        actorId = user.id;
      } catch (err) {
        setError(err);
        return;
      }
    }
    setFilter({
      actorId,
      action: action.trim() || undefined,
      target: target.trim() || undefined,
      since: instant(since),
      until: instant(until),
    });
  }

  async function loadMore() {
    if (!cursor) return;
    setBusy(true);
    try {
      const page = await request<Collection<AuditEvent>>(
        `${path}&cursor=${encodeURIComponent(cursor)}`,
      );
      setMore((prev) => [...prev, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const events = [...(log.data?.items ?? []), ...more];

  return (
    <AdminLayout
      title="Audit log"
      description="Who did what and when: sign-ins, launches, administration and the scheduled jobs."
    >
      <section className="card card-section" aria-labelledby="audit-filter-title">
        <h2 id="audit-filter-title" className="visually-hidden">
          Filters
        </h2>
        <form className="filter-bar" onSubmit={apply}>
          <div className="field">
            <label htmlFor="audit-actor">Who (email or “system”)</label>
            <input
              id="audit-actor"
              value={actor}
              autoComplete="off"
              onChange={(e) => setActor(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <input
              id="audit-action"
              list="audit-actions"
              value={action}
              autoComplete="off"
              onChange={(e) => setAction(e.target.value)}
            />
            <datalist id="audit-actions">
              {knownActions.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
          </div>
          <div className="field">
            <label htmlFor="audit-target">Target</label>
            <input
              id="audit-target"
              placeholder="template:jupyterlab"
              value={target}
              autoComplete="off"
              onChange={(e) => setTarget(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-since">From</label>
            <input
              id="audit-since"
              type="datetime-local"
              value={since}
              onChange={(e) => setSince(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-until">To</label>
            <input
              id="audit-until"
              type="datetime-local"
              value={until}
              onChange={(e) => setUntil(e.target.value)}
            />
          </div>
          <div className="filter-actions">
            <Button type="submit" size="small" variant="primary">
              Filter
            </Button>
            <Button
              size="small"
              variant="ghost"
              onClick={() => {
                setActor('');
                setAction('');
                setTarget('');
                setSince('');
                setUntil('');
                setFilterError(undefined);
                setFilter({});
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </section>
      {filterError && <Alert tone="error" title={filterError} />}
      {error !== undefined && <ErrorAlert error={error} />}
      {log.error !== undefined && <ErrorAlert error={log.error} />}
      <section className="card" aria-labelledby="audit-title">
        <div className="card-section" style={{ paddingBottom: '0.75rem' }}>
          <h2 id="audit-title">Events, newest first</h2>
        </div>
        {!log.data || log.loading ? (
          <p className="muted card-section" role="status">
            Loading the log…
          </p>
        ) : events.length === 0 ? (
          <p className="muted card-section">
            Nothing matches{cursor ? ' on this page; show more to look further back' : ''}.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table" aria-labelledby="audit-title">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Result</th>
                  <th scope="col">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id}>
                    <td className="td-primary" data-label="When">
                      <time dateTime={e.at} title={formatDateTime(e.at)}>
                        {ago(e.at)}
                      </time>
                    </td>
                    <td data-label="Who" className="break">
                      {emailOf(e.actorId)}
                    </td>
                    <td data-label="Action">
                      <code>{e.action}</code>
                    </td>
                    <td data-label="Target" className="break">
                      <code>{targetOf(e.target)}</code>
                    </td>
                    <td data-label="Result">
                      <span className={`badge ${e.result === 'failure' ? 'badge-failed' : ''}`}>
                        {e.result === 'failure' ? 'Refused or failed' : 'Done'}
                      </span>
                    </td>
                    <td data-label="Detail">{e.detail || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div className="card-section">
            <Button size="small" busy={busy} onClick={loadMore}>
              Show older events
            </Button>
          </div>
        )}
      </section>
    </AdminLayout>
  );
}

// Users: search by email, create a local account (its temporary password is
// shown once), change a role or tier, disable and enable an account.
import { type FormEvent, useEffect, useState } from 'react';
import type { AdminUser, CreatedUser, Settings } from '../../api/adminTypes.js';
import { ApiError, request } from '../../api/client.js';
import type { Collection } from '../../api/types.js';
import { useResource } from '../../api/useResource.js';
import { Alert, ErrorAlert } from '../../components/Alert.js';
import { Button } from '../../components/Button.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { PlusIcon } from '../../components/Icons.js';
import { TextField } from '../../components/TextField.js';
import { ago } from '../../format.js';
import { useSession } from '../../session/session.js';
import { AdminLayout } from './AdminLayout.js';

export function UsersPage() {
  const { me, info } = useSession();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [more, setMore] = useState<AdminUser[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const path = `/api/v1/admin/users?limit=50${query ? `&email=${encodeURIComponent(query)}` : ''}`;
  const list = useResource<Collection<AdminUser>>(path);
  const settings = useResource<Settings>('/api/v1/admin/settings');
  const tiers = settings.data ? Object.keys(settings.data.tiers) : [];
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedUser>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const [disabling, setDisabling] = useState<AdminUser>();
  const [edits, setEdits] = useState<Record<string, Partial<Pick<AdminUser, 'role' | 'tier'>>>>({});

  // Users as the last action answered them, until the reloaded list arrives: no flicker back.
  const [patched, setPatched] = useState<Record<string, AdminUser>>({});

  useEffect(() => {
    setMore([]);
    setPatched({});
    setCursor(list.data?.nextCursor ?? null);
  }, [list.data]);

  const users = [...(list.data?.items ?? []), ...more].map((u) => patched[u.id] ?? u);

  async function loadMore() {
    if (!cursor) return;
    setBusy('more');
    try {
      const page = await request<Collection<AdminUser>>(
        `${path}&cursor=${encodeURIComponent(cursor)}`,
      );
      setMore((prev) => [...prev, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  }

  async function act(user: AdminUser, action: 'save' | 'disable' | 'enable') {
    setBusy(`${action}:${user.id}`);
    setError(undefined);
    setNotice(undefined);
    const base = `/api/v1/admin/users/${encodeURIComponent(user.id)}`;
    try {
      if (action === 'save') {
        const saved = await request<AdminUser>(base, {
          method: 'PATCH',
          body: edits[user.id] ?? {},
        });
        setPatched((prev) => ({ ...prev, [user.id]: saved }));
        setEdits(({ [user.id]: _, ...rest }) => rest);
        setNotice(`Saved ${user.email}.`);
      } else {
        const saved = await request<AdminUser>(`${base}/${action}`, { method: 'POST' });
        setPatched((prev) => ({ ...prev, [user.id]: saved }));
        setNotice(
          action === 'disable'
            ? `Disabled ${user.email}: signed out everywhere, tokens revoked, environments stopped.`
            : `Enabled ${user.email}: they can sign in again.`,
        );
      }
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
      setDisabling(undefined);
    }
  }

  const localAccounts = info?.signIn.localAccounts !== false;

  return (
    <AdminLayout
      title="Users"
      description="Everyone who can sign in here: their role, their tier, and whether they may."
      actions={
        localAccounts &&
        !creating &&
        !created && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            <PlusIcon /> Add local account
          </Button>
        )
      }
    >
      {creating && (
        <NewUserForm
          tiers={tiers}
          onCancel={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            list.reload();
          }}
        />
      )}
      {created && <CreatedUserPanel created={created} onDone={() => setCreated(undefined)} />}
      {notice && <Alert tone="success" title={notice} />}
      {error !== undefined && <ErrorAlert error={error} />}
      <section className="card" aria-labelledby="users-title">
        <div className="card-section card-title">
          <h2 id="users-title">People</h2>
          <form
            className="search-form"
            onSubmit={(e) => {
              e.preventDefault();
              setQuery(search.trim().toLowerCase());
            }}
          >
            <label htmlFor="user-search" className="visually-hidden">
              Email starts with
            </label>
            <input
              id="user-search"
              type="search"
              placeholder="Email starts with…"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <Button type="submit" size="small">
              Search
            </Button>
          </form>
        </div>
        {list.error !== undefined && (
          <div className="card-section">
            <ErrorAlert error={list.error} />
          </div>
        )}
        {!list.data ? (
          <p className="muted card-section" role="status">
            Loading people…
          </p>
        ) : users.length === 0 ? (
          <p className="muted card-section">Nobody matches “{query}”.</p>
        ) : (
          <div className="table-wrap">
            <table className="responsive-table" aria-labelledby="users-title">
              <thead>
                <tr>
                  <th scope="col">Person</th>
                  <th scope="col">Role</th>
                  <th scope="col">Tier</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => {
                  const edit = edits[u.id] ?? {};
                  const role = edit.role ?? u.role;
                  const tier = edit.tier ?? u.tier;
                  const changed = role !== u.role || tier !== u.tier;
                  const self = u.id === me.id;
                  const who = u.name || u.email;
                  const change = (patch: Partial<Pick<AdminUser, 'role' | 'tier'>>) =>
                    setEdits((prev) => ({ ...prev, [u.id]: { ...prev[u.id], ...patch } }));
                  return (
                    <tr key={u.id}>
                      <td className="td-primary" data-label="Person">
                        {u.name || '—'}
                        <span className="step-message break">{u.email}</span>
                      </td>
                      <td data-label="Role">
                        <select
                          aria-label={`Role of ${who}`}
                          value={role}
                          disabled={self}
                          title={self ? 'You cannot change your own role.' : undefined}
                          onChange={(e) => change({ role: e.target.value as AdminUser['role'] })}
                        >
                          <option value="user">Member</option>
                          <option value="admin">Admin</option>
                        </select>
                      </td>
                      <td data-label="Tier">
                        <select
                          aria-label={`Tier of ${who}`}
                          value={tier}
                          onChange={(e) => change({ tier: e.target.value })}
                        >
                          {[...new Set([...tiers, u.tier])].map((t) => (
                            <option key={t} value={t}>
                              {t}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td data-label="Status">
                        <span>
                          <span
                            className={`badge ${u.disabled ? 'badge-failed' : 'badge-running'}`}
                          >
                            {u.disabled ? 'Disabled' : 'Active'}
                          </span>
                          {u.mustChangePassword && (
                            <span className="step-message">Must change password</span>
                          )}
                        </span>
                      </td>
                      <td data-label="Last seen">{u.lastSeenAt ? ago(u.lastSeenAt) : 'Never'}</td>
                      <td className="td-actions">
                        <span className="row row-end">
                          {changed && (
                            <Button
                              size="small"
                              variant="primary"
                              busy={busy === `save:${u.id}`}
                              onClick={() => act(u, 'save')}
                              aria-label={`Save changes to ${who}`}
                            >
                              Save
                            </Button>
                          )}
                          {u.disabled ? (
                            <Button
                              size="small"
                              busy={busy === `enable:${u.id}`}
                              onClick={() => act(u, 'enable')}
                              aria-label={`Enable ${who}`}
                            >
                              Enable
                            </Button>
                          ) : (
                            !self && (
                              <Button
                                size="small"
                                variant="quiet-danger"
                                onClick={() => setDisabling(u)}
                                aria-label={`Disable ${who}`}
                              >
                                Disable
                              </Button>
                            )
                          )}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {cursor && (
          <div className="card-section">
            <Button size="small" busy={busy === 'more'} onClick={loadMore}>
              Show more people
            </Button>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={disabling !== undefined}
        title={`Disable ${disabling?.email ?? ''}?`}
        confirmLabel="Disable account"
        busy={busy === `disable:${disabling?.id}`}
        onConfirm={() => disabling && act(disabling, 'disable')}
        onCancel={() => setDisabling(undefined)}
      >
        <p>
          They are signed out everywhere, their API tokens stop working and their running
          environments are stopped. Their files are kept; you can enable the account again.
        </p>
      </ConfirmDialog>
    </AdminLayout>
  );
}

function NewUserForm({
  tiers,
  onCancel,
  onCreated,
}: {
  tiers: string[];
  onCancel: () => void;
  onCreated: (created: CreatedUser) => void;
}) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<AdminUser['role']>('user');
  const [tier, setTier] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const chosenTier = tier || tiers[0] || 'free';
  const apiError = error instanceof ApiError ? error : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await request<CreatedUser>('/api/v1/admin/users', {
          method: 'POST',
          body: { email: email.trim(), name: name.trim(), role, tier: chosenTier },
        }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <section className="card card-section" aria-labelledby="new-user-title">
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id="new-user-title">New local account</h2>
        <p className="muted">
          They sign in with their email and a temporary password you pass on; they choose their own
          at the first sign-in.
        </p>
        {error !== undefined && !apiError?.fieldErrors.length && <ErrorAlert error={error} />}
        <div className="form-grid">
          <TextField
            label="Email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={apiError?.fieldMessage('email')}
          />
          <TextField
            label="Full name"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={apiError?.fieldMessage('name')}
          />
          <div className="field">
            <label htmlFor="new-user-role">Role</label>
            <select
              id="new-user-role"
              value={role}
              onChange={(e) => setRole(e.target.value as AdminUser['role'])}
            >
              <option value="user">Member</option>
              <option value="admin">Admin</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="new-user-tier">Tier</label>
            <select id="new-user-tier" value={chosenTier} onChange={(e) => setTier(e.target.value)}>
              {(tiers.length ? tiers : [chosenTier]).map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="row">
          <Button type="submit" variant="primary" busy={busy}>
            Create account
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}

function CreatedUserPanel({ created, onDone }: { created: CreatedUser; onDone: () => void }) {
  return (
    <section className="card card-section token-reveal" aria-labelledby="created-user-title">
      <div>
        <h2 id="created-user-title">Account for {created.user.email} created</h2>
        <p>
          Pass this temporary password on privately; it is shown only now. They choose their own at
          the first sign-in.
        </p>
      </div>
      <div className="secret-box">
        <label htmlFor="temporary-password" className="visually-hidden">
          Temporary password
        </label>
        <input
          id="temporary-password"
          type="text"
          readOnly
          value={created.temporaryPassword}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={created.temporaryPassword} label="Copy password" />
      </div>
      <div>
        <Button size="small" onClick={onDone}>
          Done
        </Button>
      </div>
    </section>
  );
}

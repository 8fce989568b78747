// Your account: who you are here, and your personal API tokens for scripts
// and the CLI — created with scopes and an expiry, shown once, revocable.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, request } from '../api/client.js';
import type { ApiToken, Collection, CreatedApiToken, Scope } from '../api/types.js';
import { Alert, ErrorAlert } from '../components/Alert.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { KeyIcon } from '../components/Icons.js';
import { TextField } from '../components/TextField.js';
import { formatDate, fromNow } from '../format.js';
import { useSession } from '../session/session.js';

const scopeInfo: Record<Scope, { label: string; description: string }> = {
  'environments:read': {
    label: 'Read environments',
    description: 'List your environments and see their status.',
  },
  'environments:write': {
    label: 'Manage environments',
    description: 'Launch, start, stop and delete your environments.',
  },
  admin: { label: 'Administer', description: 'Everything an administrator can do. Use sparingly.' },
};

const expiryChoices = [
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
];

export function AccountPage() {
  const { me } = useSession();
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Account</h1>
          <p>Your profile on this installation and the tokens that let scripts act as you.</p>
        </div>
      </div>
      <div className="stack" style={{ gap: '1.5rem' }}>
        <section className="card card-section" aria-labelledby="profile-title">
          <h2 id="profile-title">Profile</h2>
          <dl className="env-meta" style={{ marginTop: '0.9rem' }}>
            <dt>Name</dt>
            <dd>{me.name || '—'}</dd>
            <dt>Email</dt>
            <dd>{me.email}</dd>
            <dt>Role</dt>
            <dd>{me.role === 'admin' ? 'Administrator' : 'Member'}</dd>
            <dt>Tier</dt>
            <dd>{me.tier}</dd>
          </dl>
        </section>
        <ApiTokensSection />
      </div>
    </>
  );
}

function ApiTokensSection() {
  const { me } = useSession();
  const [tokens, setTokens] = useState<ApiToken[]>();
  const [loadError, setLoadError] = useState<unknown>();
  const [created, setCreated] = useState<CreatedApiToken>();
  const [revoking, setRevoking] = useState<ApiToken>();
  const [revokeBusy, setRevokeBusy] = useState(false);
  const [revokeError, setRevokeError] = useState<unknown>();
  const [revokedName, setRevokedName] = useState<string>();

  const load = useCallback(async () => {
    try {
      const page = await request<Collection<ApiToken>>('/api/v1/me/tokens');
      setTokens(page.items);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(err);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(token: ApiToken) {
    setRevokeBusy(true);
    setRevokeError(undefined);
    try {
      await request(`/api/v1/me/tokens/${encodeURIComponent(token.id)}`, { method: 'DELETE' });
      setRevokedName(token.name);
      if (created?.id === token.id) setCreated(undefined);
      await load();
    } catch (err) {
      setRevokeError(err);
    } finally {
      setRevokeBusy(false);
      setRevoking(undefined);
    }
  }

  return (
    <section className="card" aria-labelledby="tokens-title">
      <div className="card-section">
        <div className="card-title">
          <div>
            <h2 id="tokens-title">API tokens</h2>
            <p>
              For scripts and the command line: send one as{' '}
              <code>Authorization: Bearer &lt;token&gt;</code>. A token can do only what its scopes
              allow, and never more than you.
            </p>
          </div>
        </div>
      </div>

      <div className="card-section">
        {created ? (
          <CreatedTokenPanel token={created} onDone={() => setCreated(undefined)} />
        ) : (
          <CreateTokenForm
            isAdmin={me.role === 'admin'}
            onCreated={(token) => {
              setRevokedName(undefined);
              setCreated(token);
              // Listed at once; the reload below brings the server's own view.
              setTokens((prev) => [
                {
                  id: token.id,
                  name: token.name,
                  scopes: token.scopes,
                  expiresAt: token.expiresAt,
                  createdAt: new Date().toISOString(),
                },
                ...(prev ?? []).filter((t) => t.id !== token.id),
              ]);
              void load();
            }}
          />
        )}
      </div>

      <div className="card-section" style={{ padding: 0 }}>
        <div style={{ padding: '1rem 1.5rem 0' }} className="stack">
          <h3>Your tokens</h3>
          {revokedName && (
            <Alert tone="success" title={`Revoked “${revokedName}”.`}>
              It stops working immediately.
            </Alert>
          )}
          {revokeError !== undefined && <ErrorAlert error={revokeError} />}
          {loadError !== undefined && <ErrorAlert error={loadError} />}
        </div>
        {tokens === undefined && loadError === undefined ? (
          <p className="muted" role="status" style={{ padding: '1rem 1.5rem' }}>
            Loading tokens…
          </p>
        ) : tokens && tokens.length === 0 ? (
          <p className="muted" style={{ padding: '0.75rem 1.5rem 1.4rem' }}>
            You have no API tokens. Create one above when a script needs to act as you.
          </p>
        ) : (
          tokens && (
            <div className="table-wrap" style={{ marginTop: '0.75rem' }}>
              <table className="responsive-table" aria-labelledby="tokens-title">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Created</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((token) => (
                    <tr key={token.id}>
                      <td className="td-primary" data-label="Name">
                        {token.name}
                      </td>
                      <td data-label="Scopes">
                        <span className="scope-list">
                          {token.scopes.map((s) => (
                            <span key={s} className="chip">
                              {scopeInfo[s]?.label ?? s}
                            </span>
                          ))}
                        </span>
                      </td>
                      <td data-label="Created">{formatDate(token.createdAt)}</td>
                      <td data-label="Expires">
                        <span title={formatDate(token.expiresAt)}>{fromNow(token.expiresAt)}</span>
                      </td>
                      <td data-label="Last used">
                        {token.lastUsedAt ? fromNow(token.lastUsedAt) : 'Never'}
                      </td>
                      <td className="td-actions">
                        <Button
                          size="small"
                          variant="quiet-danger"
                          onClick={() => setRevoking(token)}
                          aria-label={`Revoke ${token.name}`}
                        >
                          Revoke
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        )}
      </div>

      <ConfirmDialog
        open={revoking !== undefined}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmLabel="Revoke token"
        busy={revokeBusy}
        onConfirm={() => revoking && revoke(revoking)}
        onCancel={() => setRevoking(undefined)}
      >
        <p>Scripts using this token stop working immediately. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}

function CreateTokenForm({
  isAdmin,
  onCreated,
}: {
  isAdmin: boolean;
  onCreated: (token: CreatedApiToken) => void;
}) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['environments:read']);
  const [days, setDays] = useState(90);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [submitted, setSubmitted] = useState(false);
  const available = (Object.keys(scopeInfo) as Scope[]).filter((s) => s !== 'admin' || isAdmin);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (!name.trim() || scopes.length === 0) return;
    setBusy(true);
    setError(undefined);
    try {
      const token = await request<CreatedApiToken>('/api/v1/me/tokens', {
        method: 'POST',
        body: { name: name.trim(), scopes, expiresInDays: days },
      });
      setName('');
      setSubmitted(false);
      onCreated(token);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const apiError = error instanceof ApiError ? error : undefined;
  const scopesError =
    apiError?.fieldMessage('scopes') ??
    (submitted && scopes.length === 0 ? 'Choose at least one scope.' : undefined);

  return (
    <form className="token-form" onSubmit={submit} noValidate aria-labelledby="new-token-title">
      <h3 id="new-token-title" className="span-all">
        New token
      </h3>
      {error !== undefined && !apiError?.fieldErrors.length && (
        <div className="span-all">
          <ErrorAlert error={error} />
        </div>
      )}
      <TextField
        label="Name"
        hint="What it is for, e.g. “laptop CLI” or “nightly sync”."
        value={name}
        maxLength={100}
        onChange={(e) => setName(e.target.value)}
        error={
          apiError?.fieldMessage('name') ??
          (submitted && !name.trim() ? 'Give the token a name.' : undefined)
        }
      />
      <div className="field">
        <label htmlFor="token-expiry">Expires after</label>
        <select id="token-expiry" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {expiryChoices.map((c) => (
            <option key={c.days} value={c.days}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <fieldset
        className="field span-all"
        aria-describedby={scopesError ? 'token-scopes-error' : undefined}
      >
        <legend>Scopes</legend>
        <div className="checks">
          {available.map((scope) => (
            <label key={scope} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) =>
                  setScopes((prev) =>
                    e.target.checked ? [...prev, scope] : prev.filter((s) => s !== scope),
                  )
                }
              />
              <span>
                <strong>{scopeInfo[scope].label}</strong>
                <span>
                  <code>{scope}</code> — {scopeInfo[scope].description}
                </span>
              </span>
            </label>
          ))}
        </div>
        {scopesError && (
          <span id="token-scopes-error" className="field-error">
            {scopesError}
          </span>
        )}
      </fieldset>
      <div className="span-all">
        <Button type="submit" variant="primary" busy={busy}>
          <KeyIcon size={16} /> Create token
        </Button>
      </div>
    </form>
  );
}

function CreatedTokenPanel({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  return (
    <div className="token-reveal" role="status" aria-labelledby="created-token-title">
      <div>
        <h3 id="created-token-title">Token “{token.name}” created</h3>
        <p>
          Copy it now: this is the only time it is shown. It expires {formatDate(token.expiresAt)}.
        </p>
      </div>
      <div className="secret-box">
        <label htmlFor="created-token" className="visually-hidden">
          Your new API token
        </label>
        <input
          id="created-token"
          type="text"
          readOnly
          value={token.token}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={token.token} label="Copy token" />
      </div>
      <div>
        <Button variant="secondary" size="small" onClick={onDone}>
          I have copied it
        </Button>
      </div>
    </div>
  );
}

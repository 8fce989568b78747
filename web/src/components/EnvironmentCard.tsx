// One environment: what it is, where it stands, and what can be done with it.
import { useState } from 'react';
import { request } from '../api/client.js';
import type { Environment, Template } from '../api/types.js';
import { durationSince, fromNow } from '../format.js';
import { Alert, ErrorAlert } from './Alert.js';
import { Button } from './Button.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ExternalIcon } from './Icons.js';
import { StatusBadge } from './StatusBadge.js';
import { TextField } from './TextField.js';

type Action = 'start' | 'stop' | 'delete' | 'deleteData';

export function EnvironmentCard({
  env,
  template,
  onChanged,
}: {
  env: Environment;
  template: Template | undefined;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState<Action>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<'delete' | 'deleteData'>();
  const [typedName, setTypedName] = useState('');
  const { status } = env;
  const base = `/api/v1/environments/${encodeURIComponent(env.id)}`;

  async function run(action: Action) {
    setBusy(action);
    setError(undefined);
    try {
      if (action === 'start') await request(`${base}/start`, { method: 'POST' });
      if (action === 'stop') await request(`${base}/stop`, { method: 'POST' });
      if (action === 'delete') await request(base, { method: 'DELETE' });
      if (action === 'deleteData')
        await request(`${base}/data/delete`, { method: 'POST', body: { confirm: typedName } });
      setConfirming(undefined);
      onChanged();
    } catch (err) {
      setError(err);
      setConfirming(undefined);
    } finally {
      setBusy(undefined);
    }
  }

  const running = status.phase === 'Running';
  const wantsRunning = env.desiredState === 'running';
  const cullSoon =
    status.cullAt && new Date(status.cullAt).getTime() - Date.now() < 60 * 60_000
      ? status.cullAt
      : undefined;

  return (
    <article className="card env-card" aria-labelledby={`env-${env.id}`}>
      <div className="env-card-head">
        <div>
          <h3 id={`env-${env.id}`}>{env.name}</h3>
          <span className="muted">{template?.name ?? env.templateId}</span>
        </div>
        <StatusBadge env={env} />
      </div>

      {status.failure && (
        <Alert tone="error" title={status.failure.reason}>
          {status.failure.message}
        </Alert>
      )}

      <dl className="env-meta">
        <dt>Resources</dt>
        <dd>
          {env.resources.cpu} CPU · {env.resources.memory} memory · {env.volume.sizeGi} GiB volume
        </dd>
        {running && status.startedAt && (
          <>
            <dt>Up for</dt>
            <dd>{durationSince(status.startedAt)}</dd>
          </>
        )}
        {status.lastActivityAt && (
          <>
            <dt>Last used</dt>
            <dd>{fromNow(status.lastActivityAt)}</dd>
          </>
        )}
        {running && cullSoon && (
          <>
            <dt>Stops</dt>
            <dd>{fromNow(cullSoon)} if idle</dd>
          </>
        )}
      </dl>

      {error !== undefined && <ErrorAlert error={error} />}

      <div className="row">
        {running && status.url && (
          <a className="btn btn-primary btn-small" href={status.url} target="_blank" rel="noopener">
            Open <ExternalIcon size={15} />
            <span className="visually-hidden"> {env.name} (opens in a new tab)</span>
          </a>
        )}
        {wantsRunning ? (
          <Button size="small" busy={busy === 'stop'} onClick={() => run('stop')}>
            Stop
          </Button>
        ) : (
          env.desiredState === 'stopped' && (
            <Button
              size="small"
              variant={running ? 'secondary' : 'primary'}
              busy={busy === 'start'}
              onClick={() => run('start')}
            >
              Start
            </Button>
          )
        )}
        <Button size="small" variant="quiet-danger" onClick={() => setConfirming('delete')}>
          Delete
        </Button>
      </div>

      <ConfirmDialog
        open={confirming === 'delete'}
        title={`Delete ${env.name}?`}
        confirmLabel="Delete environment"
        busy={busy === 'delete'}
        onConfirm={() => run('delete')}
        onCancel={() => setConfirming(undefined)}
      >
        <p>
          Its compute is removed. The workspace volume with your files is kept; you can delete the
          data separately.
        </p>
        <Button
          variant="ghost"
          size="small"
          onClick={() => {
            setTypedName('');
            setConfirming('deleteData');
          }}
        >
          Delete the data too…
        </Button>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirming === 'deleteData'}
        title={`Delete the data of ${env.name}?`}
        confirmLabel="Delete data"
        busy={busy === 'deleteData'}
        confirmDisabled={typedName !== env.name}
        onConfirm={() => run('deleteData')}
        onCancel={() => setConfirming(undefined)}
      >
        <p>
          The workspace volume and every file on it will be deleted after the retention window. This
          cannot be undone once it has passed.
        </p>
        <TextField
          label={`Type ${env.name} to confirm`}
          value={typedName}
          autoComplete="off"
          onChange={(e) => setTypedName(e.target.value)}
        />
      </ConfirmDialog>
    </article>
  );
}

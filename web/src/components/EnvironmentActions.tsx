// What can be done with an environment: Open, Start or Stop, Delete (with a
// confirmation) and Delete data (with the name typed). Errors from the API
// are shown beside the buttons, in words.
import { useState } from 'react';
import { apiUrl, request } from '../api/client.js';
import type { Environment } from '../api/types.js';
import { ErrorAlert } from './Alert.js';
import { Button } from './Button.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ExternalIcon } from './Icons.js';
import { TextField } from './TextField.js';

/**
 * Where Open goes: the API answers with a redirect to the environment's own
 * host once it has checked who is asking, so the link works for whichever
 * router or gateway serves the environments.
 */
export const openUrl = (env: Pick<Environment, 'id'>) =>
  `${apiUrl}/api/v1/environments/${encodeURIComponent(env.id)}/open`;

type Action = 'start' | 'stop' | 'delete' | 'deleteData' | 'restoreData';

export function EnvironmentActions({
  env,
  onChanged,
  onDeleted,
}: {
  env: Environment;
  onChanged: (env: Environment | undefined) => void;
  onDeleted?: () => void;
}) {
  const [busy, setBusy] = useState<Action>();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState<'delete' | 'deleteData'>();
  const [typedName, setTypedName] = useState('');
  const base = `/api/v1/environments/${encodeURIComponent(env.id)}`;

  async function run(action: Action) {
    setBusy(action);
    setError(undefined);
    try {
      const updated =
        action === 'start'
          ? await request<Environment>(`${base}/start`, { method: 'POST' })
          : action === 'stop'
            ? await request<Environment>(`${base}/stop`, { method: 'POST' })
            : action === 'delete'
              ? await request<Environment>(base, { method: 'DELETE' })
              : action === 'restoreData'
                ? await request<Environment>(`${base}/data/restore`, { method: 'POST' })
                : await request<Environment>(`${base}/data/delete`, {
                    method: 'POST',
                    body: { confirm: typedName },
                  });
      setConfirming(undefined);
      onChanged(updated);
      if (action === 'delete') onDeleted?.();
    } catch (err) {
      setError(err);
      setConfirming(undefined);
    } finally {
      setBusy(undefined);
    }
  }

  const { status } = env;
  const running = status.phase === 'Running';
  const deleting = env.desiredState === 'deleted';

  return (
    <>
      {error !== undefined && <ErrorAlert error={error} />}
      <div className="row">
        {running && !deleting && (
          <a
            className="btn btn-primary btn-small"
            href={openUrl(env)}
            target="_blank"
            rel="noopener"
          >
            Open <ExternalIcon size={15} />
            <span className="visually-hidden"> {env.name} (opens in a new tab)</span>
          </a>
        )}
        {env.desiredState === 'running' && (
          <Button
            size="small"
            busy={busy === 'stop'}
            onClick={() => run('stop')}
            aria-label={`Stop ${env.name}`}
          >
            Stop
          </Button>
        )}
        {env.desiredState === 'running' && status.phase === 'Failed' && (
          <Button
            size="small"
            variant="primary"
            busy={busy === 'start'}
            onClick={() => run('start')}
            aria-label={`Try again to start ${env.name}`}
          >
            Try again
          </Button>
        )}
        {env.desiredState === 'stopped' && (
          <Button
            size="small"
            variant="primary"
            busy={busy === 'start'}
            onClick={() => run('start')}
            aria-label={`Start ${env.name}`}
          >
            Start
          </Button>
        )}
        {!deleting && (
          <Button
            size="small"
            variant="quiet-danger"
            onClick={() => setConfirming('delete')}
            aria-label={`Delete ${env.name}`}
          >
            Delete
          </Button>
        )}
        {deleting && !env.dataDeletion && (
          <Button
            size="small"
            variant="quiet-danger"
            onClick={() => {
              setTypedName('');
              setConfirming('deleteData');
            }}
          >
            Delete data…
          </Button>
        )}
        {deleting && env.dataDeletion && (
          <Button
            size="small"
            busy={busy === 'restoreData'}
            onClick={() => run('restoreData')}
            aria-label={`Keep the data of ${env.name}`}
          >
            Keep the data
          </Button>
        )}
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
          Its compute is removed. The workspace volume with your files is kept, and you can delete
          that data separately afterwards.
        </p>
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
          The workspace volume and every file on it will be deleted once the retention window has
          passed. After that it cannot be undone.
        </p>
        <TextField
          label={`Type “${env.name}” to confirm`}
          value={typedName}
          autoComplete="off"
          onChange={(e) => setTypedName(e.target.value)}
        />
      </ConfirmDialog>
    </>
  );
}

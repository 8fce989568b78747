// "Stops in N min" once the reaper has scheduled an idle stop, with the one
// thing to do about it: keep it running (a heartbeat clears the warning).
import { useEffect, useState } from 'react';
import { request } from '../api/client.js';
import type { Environment } from '../api/types.js';
import { formatDateTime } from '../format.js';
import { minutesUntil } from '../limits.js';
import { ErrorAlert } from './Alert.js';
import { Button } from './Button.js';

export function CullWarning({ env, onKept }: { env: Environment; onKept: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // Re-render each half minute so the minutes count down between polls.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  const { cullAt, phase } = env.status;
  if (!cullAt || phase !== 'Running' || env.desiredState !== 'running') return null;

  async function keep() {
    setBusy(true);
    setError(undefined);
    try {
      await request(`/api/v1/environments/${encodeURIComponent(env.id)}/heartbeat`, {
        method: 'POST',
      });
      onKept();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack" style={{ gap: '0.5rem' }}>
      <div className="cull-warning">
        <span>
          <time dateTime={cullAt} title={formatDateTime(cullAt)}>
            Stops in {minutesUntil(cullAt)} min
          </time>{' '}
          unless used<span className="visually-hidden">; your files are kept</span>
        </span>
        <Button size="small" busy={busy} onClick={keep}>
          Keep it running<span className="visually-hidden">: {env.name}</span>
        </Button>
      </div>
      {error !== undefined && <ErrorAlert error={error} />}
    </div>
  );
}

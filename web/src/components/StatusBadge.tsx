// An environment's phase as a coloured badge; the text carries the meaning, the colour repeats it.
import type { Environment } from '../api/types.js';

const busyPhases = new Set(['Pending', 'Starting', 'Stopping', 'Deleting']);

/** Something is moving: the cluster has not caught up with what was asked, or a transition runs. */
export function isChanging(env: Environment): boolean {
  return busyPhases.has(env.status.phase) || env.status.observedGeneration < env.generation;
}

const labels: Record<string, string> = {
  Pending: 'Queued',
  Starting: 'Starting',
  Running: 'Running',
  Stopping: 'Stopping',
  Stopped: 'Stopped',
  Deleting: 'Deleting',
  Deleted: 'Deleted',
  Failed: 'Failed',
};

export function StatusBadge({ env }: { env: Environment }) {
  const phase = env.status.phase;
  const tone =
    phase === 'Running'
      ? 'badge-running'
      : phase === 'Failed'
        ? 'badge-failed'
        : busyPhases.has(phase)
          ? 'badge-busy'
          : '';
  return <span className={`badge ${tone}`}>{labels[phase] ?? phase}</span>;
}

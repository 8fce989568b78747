// The fleet at a glance, from /admin/environments/overview: how many run
// against the installation's limit, what they hold, and counts by phase.
import type { FleetOverview } from '../../api/adminTypes.js';
import { usePolling } from '../../api/usePolling.js';
import { ErrorAlert } from '../../components/Alert.js';
import { formatCpu, formatMemory } from '../../quantity.js';

const phaseOrder = ['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed', 'Deleting'];

export function FleetCounts() {
  const { data, error } = usePolling<FleetOverview>('/api/v1/admin/environments/overview', {
    slowMs: 10_000,
  });
  if (!data)
    return error ? (
      <ErrorAlert error={error} />
    ) : (
      <p className="muted" role="status">
        Loading the fleet…
      </p>
    );
  const rank = (p: string) => (phaseOrder.includes(p) ? phaseOrder.indexOf(p) : phaseOrder.length);
  const phases = Object.keys(data.byPhase).sort((a, b) => rank(a) - rank(b));
  return (
    <section className="card card-section" aria-labelledby="fleet-counts-title">
      <h2 id="fleet-counts-title">Fleet</h2>
      <dl className="stat-grid">
        <div className="stat">
          <dt>Running</dt>
          <dd>
            {data.running.count}
            <span className="muted"> of {data.running.limit} allowed</span>
          </dd>
        </div>
        <div className="stat">
          <dt>Environments</dt>
          <dd>{data.total}</dd>
        </div>
        <div className="stat">
          <dt>Running CPU</dt>
          <dd>{formatCpu(data.resources.cpu)}</dd>
        </div>
        <div className="stat">
          <dt>Running memory</dt>
          <dd>{formatMemory(data.resources.memory)}</dd>
        </div>
      </dl>
      {phases.length > 0 && (
        <ul className="template-strip phase-strip" aria-label="Environments by phase">
          {phases.map((p) => (
            <li key={p} className="chip">
              {p}: {data.byPhase[p]}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

// One environment in the list: what it is, where it stands, what can be done.
import type { Environment, Template } from '../api/types.js';
import { ago, durationSince } from '../format.js';
import { formatCpu, formatMemory } from '../quantity.js';
import { Link } from '../router.js';
import { Alert } from './Alert.js';
import { CullWarning } from './CullWarning.js';
import { EnvironmentActions } from './EnvironmentActions.js';
import { StatusBadge } from './StatusBadge.js';
import { TemplateIcon } from './TemplateIcon.js';

export function EnvironmentCard({
  env,
  template,
  onChanged,
}: {
  env: Environment;
  template: Template | undefined;
  onChanged: () => void;
}) {
  const { status } = env;
  const running = status.phase === 'Running';

  return (
    <article className="card env-card" aria-labelledby={`env-${env.id}`}>
      <div className="env-card-head">
        <div className="row" style={{ flexWrap: 'nowrap', minWidth: 0 }}>
          <TemplateIcon template={template} fallback={env.templateId} />
          <div style={{ minWidth: 0 }}>
            <h3 id={`env-${env.id}`}>
              <Link href={`/environments/${env.id}`}>{env.name}</Link>
            </h3>
            <span className="muted">{template?.name ?? env.templateId}</span>
          </div>
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
          {formatCpu(env.resources.cpu)} · {formatMemory(env.resources.memory)} ·{' '}
          {env.volume.sizeGi} GiB disk
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
            <dd>{ago(status.lastActivityAt)}</dd>
          </>
        )}
      </dl>

      <CullWarning env={env} onKept={onChanged} />

      <EnvironmentActions env={env} onChanged={onChanged} />
    </article>
  );
}

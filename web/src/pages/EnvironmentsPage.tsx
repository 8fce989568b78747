// The home page: your environments, live. Polls fast while one is changing
// and slowly otherwise; an empty list invites a first launch.
import { useEffect, useState } from 'react';
import { type ApiError, request } from '../api/client.js';
import type { Collection, Environment, Limits, Template } from '../api/types.js';
import { usePolling } from '../api/usePolling.js';
import { ErrorAlert } from '../components/Alert.js';
import { EnvironmentActions } from '../components/EnvironmentActions.js';
import { EnvironmentCard } from '../components/EnvironmentCard.js';
import { FlaskIcon, PlusIcon } from '../components/Icons.js';
import { isChanging } from '../components/StatusBadge.js';
import { fromNow } from '../format.js';
import { launchBlockedReason } from '../limits.js';
import { Link } from '../router.js';

export function EnvironmentsPage() {
  const list = usePolling<Collection<Environment>>('/api/v1/environments', {
    isChanging: (page) => page.items.some(isChanging),
  });
  const limits = usePolling<Limits>('/api/v1/me/limits', { slowMs: 30_000 });
  const refreshLimits = limits.refresh;
  // What counts against the limits changes with the list: read them again when it does.
  useEffect(() => {
    if (list.data) refreshLimits();
  }, [list.data, refreshLimits]);
  const [templates, setTemplates] = useState<Template[]>();
  const [templatesError, setTemplatesError] = useState<ApiError>();

  useEffect(() => {
    const controller = new AbortController();
    request<Collection<Template>>('/api/v1/templates', { signal: controller.signal })
      .then((page) => setTemplates(page.items))
      .catch((err: ApiError) => {
        if (!controller.signal.aborted) setTemplatesError(err);
      });
    return () => controller.abort();
  }, []);

  // Until the environment API is deployed, say so instead of showing an error.
  const unavailable = list.error?.status === 404 || templatesError?.status === 404;
  const items = list.data?.items ?? [];
  // Deleted ones leave the list once their compute is gone; their data stays until deleted.
  const environments = items.filter((e) => e.status.phase !== 'Deleted');
  const keptVolumes = items.filter((e) => e.status.phase === 'Deleted');
  const launchBlocked = unavailable
    ? 'Launching is not available yet: this server does not offer the environment API.'
    : templates && templates.length === 0
      ? 'No template is available to your account yet; ask an administrator.'
      : launchBlockedReason(limits.data);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Environments</h1>
          <p>
            Your workspaces on the cluster. Stopped ones keep their files and restart in seconds.
          </p>
        </div>
        {environments.length > 0 && <LaunchButton blockedReason={launchBlocked} />}
      </div>

      {list.error && !unavailable && <ErrorAlert error={list.error} />}

      {list.loading && !list.data && !unavailable ? (
        <p className="muted" role="status">
          Loading your environments…
        </p>
      ) : environments.length === 0 ? (
        <section className="card empty-state" aria-labelledby="empty-title">
          <div className="empty-art">
            <FlaskIcon size={34} />
          </div>
          <h2 id="empty-title">Launch your first environment</h2>
          <p>
            Pick a template — JupyterLab, Streamlit or another from the catalog — name it, and it is
            ready in about a minute. Your files live on a volume that stays when you stop.
          </p>
          {templates && templates.length > 0 && (
            <ul className="template-strip" aria-label="Available templates">
              {templates.map((t) => (
                <li key={t.id} className="chip">
                  {t.name}
                </li>
              ))}
            </ul>
          )}
          <LaunchButton blockedReason={launchBlocked} />
        </section>
      ) : (
        <ul className="env-grid" aria-label="Your environments">
          {environments.map((env) => (
            <li key={env.id}>
              <EnvironmentCard
                env={env}
                template={templates?.find((t) => t.id === env.templateId)}
                onChanged={list.refresh}
              />
            </li>
          ))}
        </ul>
      )}

      {keptVolumes.length > 0 && (
        <KeptVolumes environments={keptVolumes} onChanged={list.refresh} />
      )}
    </>
  );
}

/** Workspace volumes of deleted environments: kept until their owner deletes the data. */
function KeptVolumes({
  environments,
  onChanged,
}: {
  environments: Environment[];
  onChanged: () => void;
}) {
  return (
    <section className="card kept-volumes" aria-labelledby="kept-title">
      <div className="card-section">
        <h2 id="kept-title">Kept workspace volumes</h2>
        <p className="muted">
          These environments are deleted; their files are kept until you delete the data.
        </p>
      </div>
      <ul className="kept-list">
        {environments.map((env) => (
          <li key={env.id} className="card-section">
            <div>
              <strong>{env.name}</strong>
              <span className="muted">
                {' '}
                · {env.volume.sizeGi} GiB
                {env.dataDeletion
                  ? ` · deleted for good ${fromNow(env.dataDeletion.purgeAfter)}`
                  : ''}
              </span>
            </div>
            <EnvironmentActions env={env} onChanged={onChanged} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The launch action; when it cannot be used, it says why right beside it. */
function LaunchButton({ blockedReason }: { blockedReason: string | undefined }) {
  if (blockedReason) {
    return (
      <div className="launch-blocked">
        <button
          type="button"
          className="btn btn-primary"
          aria-disabled="true"
          aria-describedby="launch-blocked"
        >
          <PlusIcon /> Launch environment
        </button>
        <p id="launch-blocked" className="disabled-reason">
          {blockedReason}
        </p>
      </div>
    );
  }
  return (
    <Link className="btn btn-primary" href="/environments/new">
      <PlusIcon /> Launch environment
    </Link>
  );
}

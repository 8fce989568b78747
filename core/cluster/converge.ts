// The provisioner's work for one environment: read the desired state, observe
// the cluster, let the pure planner decide, apply its actions, store the
// status it derived. Level-triggered and idempotent: running it twice, late,
// or for an old intent converges to the same place.
import { effectiveTemplate } from '../environment/custom-images.js';
import type { Environment, Status, Template } from '../environment/model.js';
import { namespaceFor, objectNames } from '../environment/naming.js';
import type { Observed } from '../environment/observed.js';
import { type Action, type PlanOptions, plan, pushEvent } from '../environment/planner.js';
import { tierLimits } from '../environment/policies.js';
import type { Intent } from '../queue/intent.js';
import type { IntentQueue } from '../queue/publisher.js';
import type { CatalogStore } from '../store/catalog.js';
import type { EnvironmentStore } from '../store/environments.js';
import type { UserStore } from '../store/users.js';
import type { ClusterClient, KubeObject } from './client.js';
import { PermanentClusterError } from './errors.js';
import {
  activitySecret,
  LABEL_ENV,
  scaffoldObjects,
  userNamespace,
  workspaceDeployment,
  workspaceNetworkPolicy,
  workspaceService,
  workspaceVolume,
} from './manifests.js';
import { ROUTE_KINDS, type RouterOptions, routeObjects } from './routes/index.js';
import { observedFor } from './snapshot.js';

export interface ConvergeDeps {
  environments: Pick<EnvironmentStore, 'get' | 'writeStatus'>;
  catalog: Pick<CatalogStore, 'get' | 'settings'>;
  users: Pick<UserStore, 'get'>;
  cluster: ClusterClient;
  queue: Pick<IntentQueue, 'publish'>;
  now: () => Date;
  planOptions?: PlanOptions;
  /** The router whose objects make environments reachable; omitted: routes are not managed. */
  routes?: RouterOptions;
  /**
   * The activity Secret mounted into each pod (its token and report URL,
   * core/access activitySource); omitted: pods get none.
   */
  activity?: {
    token: (envId: string, ownerId: string) => Promise<string>;
    url: (envId: string) => string;
  };
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ConvergeResult {
  envId: string;
  phase?: Status['phase'];
  actions: Action['type'][];
  requeueAfterSeconds?: number;
  /** False when the environment moved on while we worked: the newer intent does the rest. */
  statusWritten: boolean;
}

const ref = (apiVersion: string, kind: string, namespace: string, name: string) => ({
  apiVersion,
  kind,
  metadata: { name, namespace },
});

/** What the cluster holds for one environment, read by name, as the planner wants to see it. */
export async function observeEnvironment(
  cluster: ClusterClient,
  env: Environment,
  routes?: RouterOptions,
): Promise<Observed> {
  const ns = namespaceFor(env.ownerId);
  const names = objectNames(env.id);
  const namespace = await cluster.read(ref('v1', 'Namespace', '', ns) as KubeObject);
  if (!namespace)
    return observedFor(env, {
      pods: [],
      routes: routes ? ROUTE_KINDS[routes.kind].map(() => undefined) : undefined,
    });
  const [volume, deployment, service, networkPolicy, pods, routeObjectsRead] = await Promise.all([
    cluster.read(ref('v1', 'PersistentVolumeClaim', ns, env.spec.volume.name)),
    cluster.read(ref('apps/v1', 'Deployment', ns, names.deployment)),
    cluster.read(ref('v1', 'Service', ns, names.service)),
    cluster.read(ref('networking.k8s.io/v1', 'NetworkPolicy', ns, names.networkPolicy)),
    cluster.list('v1', 'Pod', { namespace: ns, labelSelector: `${LABEL_ENV}=${env.id}` }),
    routes
      ? Promise.all(
          ROUTE_KINDS[routes.kind].map((k) =>
            cluster.read(ref(k.apiVersion, k.kind, ns, names.route)),
          ),
        )
      : undefined,
  ]);
  const events = await eventsAbout(cluster, env, ns, pods);
  return observedFor(env, {
    namespace,
    volume,
    deployment,
    service,
    networkPolicy,
    routes: routeObjectsRead,
    pods,
    events: events as never,
  });
}

/**
 * The events a start is judged by (the planner reads them only while the
 * environment is meant to run): its volume's, its Deployment's, its pods',
 * and the namespace's ReplicaSet FailedCreate, each selected by field. One
 * list of the whole namespace's events instead grew with every environment
 * of the owner, at every converge.
 */
async function eventsAbout(
  cluster: ClusterClient,
  env: Environment,
  ns: string,
  pods: KubeObject[],
): Promise<KubeObject[]> {
  if (env.desiredState !== 'running') return [];
  const about = (kind: string, name: string) =>
    `involvedObject.kind=${kind},involvedObject.name=${name}`;
  const selectors = [
    about('PersistentVolumeClaim', env.spec.volume.name),
    about('Deployment', objectNames(env.id).deployment),
    'involvedObject.kind=ReplicaSet,reason=FailedCreate',
    ...pods.map((p) => about('Pod', p.metadata.name)),
  ];
  const lists = await Promise.all(
    selectors.map((fieldSelector) => cluster.list('v1', 'Event', { namespace: ns, fieldSelector })),
  );
  return lists.flat();
}

export async function convergeEnvironment(
  deps: ConvergeDeps,
  intent: Intent,
  /** When the queue received the message (SQS SentTimestamp), if known. */
  delivery: { sentAt?: Date } = {},
): Promise<ConvergeResult> {
  // Before any read: whatever was sent before this instant, this converge sees.
  const startedAt = deps.now();
  const env = await deps.environments.get(intent.ownerId, intent.envId);
  if (!env) return { envId: intent.envId, actions: [], statusWritten: false };
  const now = deps.now();
  // A converge of this generation started after this message was sent, or
  // another message polls soon: this one is redundant. Dropping it keeps one
  // poll per transitional environment, whatever the duplicates; otherwise
  // each extra message would requeue itself until the environment settled
  // and a backlog would feed on itself (see redundant()).
  if (redundant(env, now, delivery.sentAt))
    return { envId: env.id, phase: env.status.phase, actions: [], statusWritten: false };
  const template = effectiveTemplate(await deps.catalog.get(env.spec.templateId), env.spec);
  const observed = await observeEnvironment(deps.cluster, env, deps.routes);
  const decided = plan(env, observed, now, deps.planOptions);
  const applied: Action['type'][] = [];
  let status = decided.status;
  try {
    for (const action of decided.actions) {
      await apply(deps, env, template, action);
      applied.push(action.type);
    }
  } catch (err) {
    if (!(err instanceof PermanentClusterError) && !(err instanceof MissingTemplate)) throw err;
    // The cluster refused what we asked (or we cannot build it): a failure the user must see, not a retry.
    status = failed(
      decided.status,
      env.generation,
      err instanceof MissingTemplate ? 'TemplateRemoved' : err.code,
      err.message,
      now,
    );
  }
  const requeue = status.phase === 'Failed' ? undefined : decided.requeueAfterSeconds;
  status = { ...status, converged: convergedRecord(env, startedAt, requeue) };
  const statusWritten = await deps.environments.writeStatus(env, status);
  if (statusWritten && requeue !== undefined) {
    await deps.queue.publish(
      { envId: env.id, ownerId: env.ownerId, generation: env.generation },
      { delaySeconds: requeue },
    );
  }
  return {
    envId: env.id,
    phase: status.phase,
    actions: applied,
    requeueAfterSeconds: requeue,
    statusWritten,
  };
}

/** Only short polls are recorded: a purge due in days must not hold off a repair meanwhile. */
const MAX_RECORDED_POLL_SECONDS = 300;
/** Margins for clocks (the queue's and ours): the poll's own message is never taken for a duplicate. */
const POLL_MARGIN_MS = 250;
const SENT_MARGIN_MS = 1000;

function convergedRecord(
  env: Environment,
  startedAt: Date,
  requeue: number | undefined,
): Status['converged'] {
  const polls = requeue !== undefined && requeue <= MAX_RECORDED_POLL_SECONDS;
  return {
    at: startedAt.toISOString(),
    generation: env.generation,
    ...(polls ? { nextPollAt: new Date(startedAt.getTime() + requeue * 1000).toISOString() } : {}),
  };
}

/**
 * Whether a message about `env` adds nothing: a converge of its current
 * generation started after the message was sent (it saw everything the
 * message could have been about, and queued its own poll if one is needed),
 * or arrives before the poll that converge queued. A new intent always
 * carries a new generation, so it is never dropped; a message whose poll
 * was lost is repaired by the reconciler.
 */
export function redundant(
  env: Pick<Environment, 'generation' | 'status'>,
  now: Date,
  sentAt?: Date,
): boolean {
  const last = env.status.converged;
  if (!last || last.generation !== env.generation) return false;
  if (sentAt && sentAt.getTime() < Date.parse(last.at) - SENT_MARGIN_MS) return true;
  return (
    last.nextPollAt !== undefined && now.getTime() < Date.parse(last.nextPollAt) - POLL_MARGIN_MS
  );
}

class MissingTemplate extends Error {
  constructor(id: string) {
    super(
      `The template "${id}" was removed from the catalog; this environment cannot be started again.`,
    );
  }
}

async function apply(
  deps: ConvergeDeps,
  env: Environment,
  template: Template | undefined,
  action: Action,
) {
  const c = deps.cluster;
  const needTemplate = () => {
    if (!template) throw new MissingTemplate(env.spec.templateId);
    return template;
  };
  switch (action.type) {
    case 'ensureNamespaceScaffold': {
      const user = await deps.users.get(env.ownerId);
      const limits = tierLimits(await deps.catalog.settings(), user?.tier ?? 'free');
      for (const object of scaffoldObjects(userNamespace(env.ownerId, limits)))
        await c.apply(object as KubeObject);
      return;
    }
    case 'applyVolume':
      await c.apply(workspaceVolume(env) as KubeObject);
      return;
    case 'applyNetworkPolicy':
      await c.apply(workspaceNetworkPolicy(env, needTemplate()) as KubeObject);
      return;
    case 'applyService':
      await c.apply(workspaceService(env) as KubeObject);
      return;
    case 'applyRoute':
      // Planned only when deps.routes is set (observeEnvironment reads routes only then).
      for (const object of routeObjects(env, deps.routes!)) await c.apply(object);
      return;
    case 'applyDeployment': {
      const template = needTemplate();
      // The Secret first, so a new pod finds it. Its token is deterministic:
      // re-applying it with every generation changes nothing.
      if (deps.activity) {
        const data = {
          token: await deps.activity.token(env.id, env.ownerId),
          url: deps.activity.url(env.id),
        };
        await c.apply(activitySecret(env, data) as KubeObject);
      }
      await c.apply(
        workspaceDeployment(env, template, action.replicas, {
          activity: deps.activity !== undefined,
        }) as KubeObject,
      );
      return;
    }
    case 'scaleDeployment':
      await c.merge(
        ref('apps/v1', 'Deployment', namespaceFor(env.ownerId), objectNames(env.id).deployment),
        {
          spec: { replicas: action.replicas },
        },
      );
      return;
    case 'deleteCompute': {
      const ns = namespaceFor(env.ownerId);
      const names = objectNames(env.id);
      await c.delete(ref('apps/v1', 'Deployment', ns, names.deployment));
      if (deps.activity) await c.delete(ref('v1', 'Secret', ns, names.activitySecret));
      // Reverse apply order: an HTTPRoute goes before the SecurityPolicy guarding it.
      for (const k of [...(deps.routes ? ROUTE_KINDS[deps.routes.kind] : [])].reverse())
        await c.delete(ref(k.apiVersion, k.kind, ns, names.route));
      await c.delete(ref('v1', 'Service', ns, names.service));
      await c.delete(ref('networking.k8s.io/v1', 'NetworkPolicy', ns, names.networkPolicy));
      return;
    }
    case 'deleteVolume':
      // Planned only for a confirmed data deletion whose retention has passed.
      await c.delete(ref('v1', 'PersistentVolumeClaim', namespaceFor(env.ownerId), action.name));
      deps.log?.('workspace volume purged', { envId: env.id, volume: action.name });
      return;
  }
}

function failed(
  status: Status,
  generation: number,
  reason: string,
  message: string,
  now: Date,
): Status {
  const at = now.toISOString();
  return {
    ...status,
    phase: 'Failed',
    observedGeneration: generation,
    failure: { reason, message },
    events: pushEvent(status.events, { at, type: 'Warning', reason, message }),
  };
}

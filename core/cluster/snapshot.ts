// What the cluster holds for environments, as the planner wants to see it,
// from objects already read — pure. The provisioner reads one environment's
// objects by name (converge.ts); the reconciler lists every managed object of
// each kind once and looks environments up in a ClusterSnapshot. Both then
// build the Observed the same way, here.
import type { Environment } from '../environment/model.js';
import { namespaceFor, objectNames } from '../environment/naming.js';
import { type Observed, observe } from '../environment/observed.js';
import { ANNOTATION_GENERATION, isScaffolded, LABEL_ENV, LABEL_USER } from './manifests.js';
import type { RouteKind } from './routes/index.js';

/** A Kubernetes object as listed (client-node models or plain JSON). */
export interface ListedObject {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: Date | string;
    deletionTimestamp?: unknown;
  };
}

/** One environment's objects, each absent when the cluster does not have it. */
export interface EnvironmentObjects {
  namespace?: ListedObject;
  volume?: ListedObject;
  deployment?: ListedObject;
  service?: ListedObject;
  networkPolicy?: ListedObject;
  /** The route objects of the configured router, in ROUTE_KINDS order; omitted: no router managed. */
  routes?: Array<ListedObject | undefined>;
  pods: ListedObject[];
  /** Events of the namespace (the provisioner reads them; the reconciler does not, see reconciler.ts). */
  events?: Array<{ involvedObject?: { name?: string } }>;
}

type EnvRef = Pick<Environment, 'id' | 'ownerId' | 'spec'>;

/** The planner's view of one environment from its objects. */
export function observedFor(env: EnvRef, objects: EnvironmentObjects): Observed {
  if (!objects.namespace)
    return observe({
      namespaceScaffold: false,
      routes: objects.routes,
      generationAnnotation: ANNOTATION_GENERATION,
    });
  const names = objectNames(env.id);
  // Events about this environment: its Deployment, its ReplicaSets (named after it), its pods, its volume.
  const ours = (name: string) =>
    name === env.spec.volume.name ||
    name === names.deployment ||
    name.startsWith(`${names.deployment}-`);
  return observe({
    namespaceScaffold: isScaffolded(objects.namespace as Parameters<typeof isScaffolded>[0]),
    volume: objects.volume as never,
    deployment: objects.deployment as never,
    service: objects.service,
    networkPolicy: objects.networkPolicy,
    routes: objects.routes,
    pods: objects.pods as never,
    events: (objects.events ?? []).filter((e) =>
      ours(String(e.involvedObject?.name ?? '')),
    ) as never,
    generationAnnotation: ANNOTATION_GENERATION,
  });
}

/** The kinds the reconciler lists, each once per cycle, selected by the managed-by label. */
export const LISTED_KINDS = {
  namespaces: { apiVersion: 'v1', kind: 'Namespace' },
  volumes: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment' },
  services: { apiVersion: 'v1', kind: 'Service' },
  networkPolicies: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  pods: { apiVersion: 'v1', kind: 'Pod' },
} as const;

export type Listed = Record<keyof typeof LISTED_KINDS, ListedObject[]> & {
  /** Route objects, one list per kind of the configured router (ROUTE_KINDS); omitted: no router. */
  routes?: Array<RouteKind & { items: ListedObject[] }>;
};

const key = (namespace: string | undefined, name: string | undefined) =>
  `${namespace ?? ''}/${name ?? ''}`;

function byKey(objects: ListedObject[]): Map<string, ListedObject> {
  return new Map(objects.map((o) => [key(o.metadata?.namespace, o.metadata?.name), o]));
}

/** Every managed object, indexed so that each environment is looked up, not searched. */
export class ClusterSnapshot {
  private readonly namespaces: Map<string, ListedObject>;
  private readonly volumes: Map<string, ListedObject>;
  private readonly deployments: Map<string, ListedObject>;
  private readonly services: Map<string, ListedObject>;
  private readonly networkPolicies: Map<string, ListedObject>;
  private readonly pods = new Map<string, ListedObject[]>();
  private readonly routes?: Map<string, ListedObject>[];

  constructor(readonly listed: Listed) {
    this.namespaces = new Map(listed.namespaces.map((n) => [n.metadata?.name ?? '', n]));
    this.volumes = byKey(listed.volumes);
    this.deployments = byKey(listed.deployments);
    this.services = byKey(listed.services);
    this.networkPolicies = byKey(listed.networkPolicies);
    this.routes = listed.routes?.map((r) => byKey(r.items));
    for (const pod of listed.pods) {
      const env = pod.metadata?.labels?.[LABEL_ENV];
      if (!env) continue;
      const k = key(pod.metadata?.namespace, env);
      this.pods.set(k, [...(this.pods.get(k) ?? []), pod]);
    }
  }

  objectsOf(env: EnvRef): EnvironmentObjects {
    const ns = namespaceFor(env.ownerId);
    const names = objectNames(env.id);
    return {
      namespace: this.namespaces.get(ns),
      volume: this.volumes.get(key(ns, env.spec.volume.name)),
      deployment: this.deployments.get(key(ns, names.deployment)),
      service: this.services.get(key(ns, names.service)),
      networkPolicy: this.networkPolicies.get(key(ns, names.networkPolicy)),
      routes: this.routes?.map((r) => r.get(key(ns, names.route))),
      pods: this.pods.get(key(ns, env.id)) ?? [],
    };
  }
}

export interface OrphanObject {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  envId: string;
  ownerId?: string;
  createdAt?: string;
}

/**
 * Managed objects of environments not in `live` (by their lablease.dev/env
 * label), older than `graceMs`: compute (Deployment, route objects, Service,
 * NetworkPolicy, in that order: routes in reverse apply order, so an
 * HTTPRoute goes before the SecurityPolicy guarding it) to delete, and
 * volumes to report — never to delete.
 */
export function findOrphans(
  listed: Listed,
  live: Set<string>,
  now: Date,
  graceMs: number,
): { compute: OrphanObject[]; volumes: OrphanObject[] } {
  const old = (o: ListedObject) => {
    const created = o.metadata?.creationTimestamp;
    const at = created instanceof Date ? created.getTime() : Date.parse(String(created ?? ''));
    return Number.isFinite(at) && now.getTime() - at >= graceMs;
  };
  const orphans = (objects: ListedObject[], kind: keyof typeof LISTED_KINDS | RouteKind) =>
    objects
      .filter((o) => {
        const env = o.metadata?.labels?.[LABEL_ENV];
        return env !== undefined && !live.has(env) && old(o);
      })
      .map((o) => {
        const created = o.metadata?.creationTimestamp;
        return {
          ...(typeof kind === 'string'
            ? LISTED_KINDS[kind]
            : { apiVersion: kind.apiVersion, kind: kind.kind }),
          namespace: o.metadata?.namespace ?? '',
          name: o.metadata?.name ?? '',
          envId: o.metadata!.labels![LABEL_ENV]!,
          ownerId: o.metadata?.labels?.[LABEL_USER],
          createdAt: created instanceof Date ? created.toISOString() : created,
        };
      });
  return {
    compute: [
      ...orphans(listed.deployments, 'deployments'),
      ...[...(listed.routes ?? [])].reverse().flatMap((r) => orphans(r.items, r)),
      ...orphans(listed.services, 'services'),
      ...orphans(listed.networkPolicies, 'networkPolicies'),
    ],
    volumes: orphans(listed.volumes, 'volumes'),
  };
}

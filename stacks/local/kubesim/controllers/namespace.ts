// The namespace controller: a namespace being deleted (phase Terminating,
// spec.finalizers ["kubernetes"]) has all its content deleted, waits until
// it is really gone (finalizers, graceful pods), then releases its
// `kubernetes` finalizer through /finalize and disappears.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import type { Controller, KubeObject } from '../types.js';
import { type Runtime, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:namespace-controller';

/** Namespaced kinds, dependents first so owners do not race their garbage collection. */
export const namespacedResources = [
  'pods',
  'replicasets.apps',
  'deployments.apps',
  'services',
  'ingresses.networking.k8s.io',
  'networkpolicies.networking.k8s.io',
  'httproutes.gateway.networking.k8s.io',
  'securitypolicies.gateway.envoyproxy.io',
  'persistentvolumeclaims',
  'configmaps',
  'secrets',
  'serviceaccounts',
  'resourcequotas',
  'limitranges',
  'events',
];

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (ns) => this.sync(ns));
  }

  start() {
    const api = this.rt.api;
    this.unsubscribe.push(
      this.rt.subscribe('namespaces', (ev) => {
        if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp)
          this.queue.add(ev.object.metadata.name!);
      }),
    );
    // content leaving a terminating namespace: look again
    for (const resource of namespacedResources) {
      this.unsubscribe.push(
        this.rt.subscribe(resource, (ev) => {
          if (ev.type !== 'DELETED') return;
          const ns = api.get('namespaces', undefined, ev.object.metadata.namespace!);
          if (ns?.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
        }),
      );
    }
    for (const ns of api.list('namespaces').items)
      if (ns.metadata.deletionTimestamp) this.queue.add(ns.metadata.name!);
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async sync(name: string) {
    const api = this.rt.api;
    const ns = api.get('namespaces', undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;

    for (const resource of namespacedResources) {
      for (const obj of api.list(resource, { namespace: name }).items) {
        if (obj.metadata.deletionTimestamp) continue;
        await api
          .delete(resource, name, obj.metadata.name!, { user, propagationPolicy: 'Background' })
          .catch(() => {});
      }
    }
    const left = namespacedResources.reduce(
      (n, r) => n + api.list(r, { namespace: name }).items.length,
      0,
    );
    await this.setConditions(ns, left);
    if (left > 0) {
      // graceful pods and finalizers take their time; their DELETED events requeue us, this is the safety net
      this.queue.add(name, Math.max(this.rt.delays.retry, 100));
      return;
    }
    const fresh = api.get('namespaces', undefined, name);
    if (!fresh?.spec?.finalizers?.includes('kubernetes')) return;
    await api.update(
      'namespaces',
      undefined,
      {
        ...fresh,
        spec: {
          ...fresh.spec,
          finalizers: fresh.spec.finalizers.filter((f: string) => f !== 'kubernetes'),
        },
      },
      { subresource: 'finalize', user },
    );
  }

  /** The conditions `kubectl describe ns` shows while a namespace empties. */
  private async setConditions(ns: KubeObject, left: number) {
    const now = `${this.rt.now().toISOString().slice(0, 19)}Z`;
    const conditions = [
      {
        type: 'NamespaceDeletionDiscoveryFailure',
        status: 'False',
        reason: 'ResourcesDiscovered',
        message: 'All resources successfully discovered',
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceDeletionGroupVersionParsingFailure',
        status: 'False',
        reason: 'ParsedGroupVersions',
        message: 'All legacy kube types successfully parsed',
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceDeletionContentFailure',
        status: 'False',
        reason: 'ContentDeleted',
        message: 'All content successfully deleted, may be waiting on finalization',
        lastTransitionTime: now,
      },
      left
        ? {
            type: 'NamespaceContentRemaining',
            status: 'True',
            reason: 'SomeResourcesRemain',
            message: `Some resources are remaining: ${left} objects`,
            lastTransitionTime: now,
          }
        : {
            type: 'NamespaceContentRemaining',
            status: 'False',
            reason: 'ContentRemoved',
            message: 'All content successfully removed',
            lastTransitionTime: now,
          },
      {
        type: 'NamespaceFinalizersRemaining',
        status: 'False',
        reason: 'ContentHasNoFinalizers',
        message: 'All content-preserving finalizers finished',
        lastTransitionTime: now,
      },
    ];
    const old = ns.status?.conditions ?? [];
    const same = (a: any, b: any) =>
      a && b && a.status === b.status && a.reason === b.reason && a.message === b.message;
    if (conditions.every((c, i) => same(c, old[i]))) return;
    const merged = conditions.map((c, i) =>
      old[i]?.status === c.status ? { ...c, lastTransitionTime: old[i].lastTransitionTime } : c,
    );
    await this.rt.api.update(
      'namespaces',
      undefined,
      { ...ns, status: { ...ns.status, phase: 'Terminating', conditions: merged } },
      { subresource: 'status', user },
    );
  }
}

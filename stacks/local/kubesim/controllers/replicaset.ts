// The ReplicaSet controller: keeps `replicas` live pods named `<rs>-<5
// random>` with a controller ownerReference, through the ClusterApi so every
// pod meets admission. A refused pod becomes a FailedCreate Warning event and
// the ReplicaFailure condition, then a retry with back-off — the trail a real
// cluster leaves when Pod Security or a quota says no.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON

import { StatusError } from '../errors.js';
import type { Controller, KubeObject } from '../types.js';
import { type Condition, controllerUid, isTerminal, ownerRefTo, setCondition } from './pods.js';
import { keyOf, type Runtime, rfc3339, splitKey, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:replicaset-controller';

const isReady = (pod: KubeObject) =>
  pod.status?.conditions?.some((c: Condition) => c.type === 'Ready' && c.status === 'True') ??
  false;

/** Available = Ready for at least minReadySeconds. */
function isAvailable(pod: KubeObject, minReadySeconds: number, now: Date) {
  if (!isReady(pod)) return false;
  if (!minReadySeconds) return true;
  const ready = pod.status.conditions.find((c: Condition) => c.type === 'Ready');
  return now.getTime() - Date.parse(ready.lastTransitionTime) >= minReadySeconds * 1000;
}

/** Which pods go first when scaling down: unscheduled, pending, not ready, newest. */
function deletionRank(pod: KubeObject) {
  return [
    pod.spec?.nodeName ? 1 : 0,
    pod.status?.phase === 'Running' ? 1 : 0,
    isReady(pod) ? 1 : 0,
  ];
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (key) => this.sync(key));
  }

  start() {
    const api = this.rt.api;
    this.unsubscribe.push(
      this.rt.subscribe('replicasets.apps', (ev) => {
        if (ev.type !== 'DELETED')
          this.queue.add(keyOf(ev.object.metadata.namespace, ev.object.metadata.name));
      }),
      this.rt.subscribe('pods', (ev) => {
        const ref = ev.object.metadata.ownerReferences?.find(
          (r) => r.controller && r.kind === 'ReplicaSet',
        );
        if (ref) this.queue.add(keyOf(ev.object.metadata.namespace, ref.name));
      }),
    );
    for (const rs of api.list('replicasets.apps').items)
      this.queue.add(keyOf(rs.metadata.namespace, rs.metadata.name));
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private ownedPods(rs: KubeObject): KubeObject[] {
    // Its pods carry its selector's labels (pod-template-hash among them):
    // selecting by them copies those pods only, not the whole namespace's.
    const matchLabels: Record<string, string> = rs.spec?.selector?.matchLabels ?? {};
    const labelSelector = rs.spec?.selector?.matchExpressions?.length
      ? undefined
      : Object.entries(matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || undefined;
    return this.rt.api
      .list('pods', { namespace: rs.metadata.namespace, labelSelector })
      .items.filter((p) => controllerUid(p) === rs.metadata.uid);
  }

  private async sync(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const rs = api.get('replicasets.apps', ns, name);
    if (!rs) return;
    const pods = this.ownedPods(rs);
    const active = pods.filter((p) => !p.metadata.deletionTimestamp && !isTerminal(p));
    const desired: number = rs.spec?.replicas ?? 1;
    let failure: StatusError | undefined;
    if (!rs.metadata.deletionTimestamp) {
      const diff = desired - active.length;
      if (diff > 0) failure = await this.createPods(rs, diff);
      else if (diff < 0) await this.deletePods(rs, active, -diff);
    }
    await this.writeStatus(rs, failure);
    if (failure) this.queue.add(key, this.backoff(rs));
  }

  private readonly failures = new Map<string, number>();
  private backoff(rs: KubeObject) {
    const n = (this.failures.get(rs.metadata.uid!) ?? 0) + 1;
    this.failures.set(rs.metadata.uid!, n);
    return Math.min(this.rt.delays.retry * 2 ** (n - 1), this.rt.delays.retry * 60);
  }

  private async createPods(rs: KubeObject, count: number): Promise<StatusError | undefined> {
    const api = this.rt.api;
    const template = rs.spec?.template ?? {};
    for (let i = 0; i < count; i++) {
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${rs.metadata.name}-`,
          namespace: rs.metadata.namespace,
          labels: { ...template.metadata?.labels },
          ...(template.metadata?.annotations
            ? { annotations: { ...template.metadata.annotations } }
            : {}),
          ownerReferences: [ownerRefTo(rs)],
        },
        spec: structuredClone(template.spec ?? {}),
      };
      try {
        const created = await api.create('pods', rs.metadata.namespace, pod, { user });
        this.failures.delete(rs.metadata.uid!);
        await this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        await this.event(rs, 'Warning', 'FailedCreate', `Error creating: ${err.message}`);
        return err;
      }
    }
    return undefined;
  }

  private async deletePods(rs: KubeObject, active: KubeObject[], count: number) {
    const ranked = [...active].sort((a, b) => {
      const ra = deletionRank(a);
      const rb = deletionRank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
      return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
    });
    for (const pod of ranked.slice(0, count)) {
      try {
        await this.rt.api.delete('pods', pod.metadata.namespace, pod.metadata.name!, {
          user,
          preconditions: { uid: pod.metadata.uid },
        });
        await this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
  }

  private async writeStatus(rs: KubeObject, failure: StatusError | undefined) {
    const api = this.rt.api;
    const now = this.rt.now();
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const fresh = api.get('replicasets.apps', rs.metadata.namespace, rs.metadata.name!) ?? rs;
    const pods = this.ownedPods(fresh).filter(
      (p) => !p.metadata.deletionTimestamp && !isTerminal(p),
    );
    const selector = fresh.spec?.selector?.matchLabels ?? {};
    const conditions: Condition[] = structuredClone(fresh.status?.conditions ?? []);
    if (failure) {
      setCondition(
        conditions,
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: failure.message,
        },
        rfc3339(now),
      );
    } else if (pods.length >= (fresh.spec?.replicas ?? 1)) {
      const i = conditions.findIndex((c) => c.type === 'ReplicaFailure');
      if (i >= 0) conditions.splice(i, 1);
    }
    // omitempty counters disappear at 0, as in the real API; `replicas` is always shown.
    const counts: Record<string, number> = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) =>
        Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: pods.filter(isReady).length,
      availableReplicas: pods.filter((p) => isAvailable(p, minReady, now)).length,
    };
    const status: any = { replicas: counts.replicas };
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
      if (counts[k]) status[k] = counts[k];
    status.observedGeneration = fresh.metadata.generation;
    if (conditions.length) status.conditions = conditions;
    if (JSON.stringify(status) === JSON.stringify(fresh.status)) return;
    await api.update(
      'replicasets.apps',
      fresh.metadata.namespace,
      { ...fresh, status },
      { subresource: 'status', user },
    );
    // a pod that turns available only after minReadySeconds needs another look then
    if (minReady && counts.readyReplicas! > counts.availableReplicas!)
      this.queue.add(keyOf(fresh.metadata.namespace, fresh.metadata.name), minReady * 1000);
  }

  private async event(rs: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) {
    try {
      await this.rt.api.recordEvent(rs, type, reason, message, 'replicaset-controller');
    } catch {}
  }
}

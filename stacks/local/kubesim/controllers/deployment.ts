// The Deployment controller: one ReplicaSet per pod template (named
// `<deployment>-<pod-template-hash>`), rolled out Recreate or RollingUpdate,
// and the status a real controller reports — counters absent at 0
// (omitempty), observedGeneration, and the Available / Progressing /
// ReplicaFailure conditions with their real reasons, including
// ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import type { Controller, KubeObject } from '../types.js';
import { type Condition, controllerUid, ownerRefTo, setCondition } from './pods.js';
import { keyOf, type Runtime, rfc3339, splitKey, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:deployment-controller';
const hashLabel = 'pod-template-hash';
const revisionKey = 'deployment.kubernetes.io/revision';

/** Key-sorted JSON, so equal templates compare equal whatever their key order. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function withoutHash(template: any) {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[hashLabel];
  if (t.metadata?.labels && !Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  return t;
}

/** fnv-32a of the template, spelled with the safe alphabet as rand.SafeEncodeString does. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const text =
    canonicalJson(withoutHash(template)) + (collisionCount ? String(collisionCount) : '');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((ch) => alphabet[ch.charCodeAt(0) % alphabet.length]).join('');
}

/** 25% of 4 → 1; surge rounds up, unavailable rounds down; both 0 → unavailable 1. */
function resolveRolling(d: KubeObject): { surge: number; unavailable: number } {
  const desired: number = d.spec?.replicas ?? 1;
  if (d.spec?.strategy?.type === 'Recreate') return { surge: 0, unavailable: desired };
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const value = (v: unknown, fallback: string, roundUp: boolean) => {
    const s = v ?? fallback;
    if (typeof s === 'number') return s;
    const pct = /^(\d+)%$/.exec(String(s));
    if (!pct) return Number(s) || 0;
    const raw = (Number(pct[1]) * desired) / 100;
    return roundUp ? Math.ceil(raw) : Math.floor(raw);
  };
  const surge = value(ru.maxSurge, '25%', true);
  let unavailable = value(ru.maxUnavailable, '25%', false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

const replicasOf = (rs: KubeObject): number => rs.spec?.replicas ?? 0;
const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.[revisionKey] ?? 0);

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];
  private readonly deadlineChecks = new Map<string, () => void>();

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (key) => this.sync(key));
  }

  start() {
    const api = this.rt.api;
    const requeueOwner = (obj: KubeObject) => {
      const ref = obj.metadata.ownerReferences?.find(
        (r) => r.controller && r.kind === 'Deployment',
      );
      if (ref) this.queue.add(keyOf(obj.metadata.namespace, ref.name));
    };
    this.unsubscribe.push(
      this.rt.subscribe('deployments.apps', (ev) => {
        const d = ev.object;
        if (ev.type === 'DELETED') return;
        // our own status writes need no new look; the deadline check is scheduled separately
        if (
          ev.type === 'MODIFIED' &&
          d.status?.observedGeneration === d.metadata.generation &&
          !d.metadata.deletionTimestamp
        )
          return;
        this.queue.add(keyOf(d.metadata.namespace, d.metadata.name));
      }),
      this.rt.subscribe('replicasets.apps', (ev) => requeueOwner(ev.object)),
      // Recreate waits for the old pods to be gone, not just scaled down.
      this.rt.subscribe('pods', (ev) => {
        if (ev.type !== 'DELETED') return;
        const ref = ev.object.metadata.ownerReferences?.find(
          (r) => r.controller && r.kind === 'ReplicaSet',
        );
        const rs = ref && api.get('replicasets.apps', ev.object.metadata.namespace, ref.name);
        if (rs) requeueOwner(rs);
      }),
    );
    for (const d of api.list('deployments.apps').items)
      this.queue.add(keyOf(d.metadata.namespace, d.metadata.name));
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    for (const c of this.deadlineChecks.values()) c();
    this.deadlineChecks.clear();
  }

  private async sync(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const d = api.get('deployments.apps', ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = api
      .list('replicasets.apps', { namespace: ns, labelSelector: selectorOf(d) })
      .items.filter((rs) => controllerUid(rs) === d.metadata.uid && !rs.metadata.deletionTimestamp);
    const wanted = canonicalJson(withoutHash(d.spec.template));
    let newRS = owned.find((rs) => canonicalJson(withoutHash(rs.spec?.template)) === wanted);
    const oldRSs = owned.filter((rs) => rs !== newRS).sort((a, b) => revisionOf(a) - revisionOf(b));
    const conditions: Condition[] = structuredClone(d.status?.conditions ?? []);
    const now = rfc3339(this.rt.now());

    if (!d.spec?.paused) {
      if (!newRS) {
        newRS = await this.createReplicaSet(d, oldRSs);
        setCondition(
          conditions,
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetCreated',
            message: `Created new replica set "${newRS.metadata.name}"`,
            lastUpdateTime: now,
          },
          now,
          { moveToEnd: true },
        );
      }
      newRS = await this.stampRevision(d, newRS, oldRSs);
      if (d.spec?.strategy?.type === 'Recreate') await this.recreate(d, newRS, oldRSs);
      else await this.rollingUpdate(d, newRS, oldRSs);
      await this.cleanupHistory(d, oldRSs);
    }
    await this.writeStatus(d, newRS, oldRSs, conditions);
  }

  /**
   * The new ReplicaSet carries the highest revision (a rollback to an old template bumps it),
   * and the Deployment shows it in its own `deployment.kubernetes.io/revision` annotation.
   */
  private async stampRevision(
    d: KubeObject,
    newRS: KubeObject,
    oldRSs: KubeObject[],
  ): Promise<KubeObject> {
    const api = this.rt.api;
    const highest = Math.max(0, ...oldRSs.map(revisionOf));
    let rs = newRS;
    if (revisionOf(rs) <= highest) {
      const annotations = { ...rs.metadata.annotations, [revisionKey]: String(highest + 1) };
      rs = await api.update(
        'replicasets.apps',
        rs.metadata.namespace,
        { ...rs, metadata: { ...rs.metadata, annotations } },
        { user },
      );
    }
    const revision = String(revisionOf(rs));
    const latest = api.get('deployments.apps', d.metadata.namespace, d.metadata.name!);
    if (latest && latest.metadata.annotations?.[revisionKey] !== revision) {
      const annotations = { ...latest.metadata.annotations, [revisionKey]: revision };
      await api.update(
        'deployments.apps',
        d.metadata.namespace,
        { ...latest, metadata: { ...latest.metadata, annotations } },
        { user },
      );
    }
    return rs;
  }

  private async createReplicaSet(d: KubeObject, oldRSs: KubeObject[]): Promise<KubeObject> {
    const api = this.rt.api;
    const hash = podTemplateHash(d.spec.template, d.status?.collisionCount ?? 0);
    const desired: number = d.spec?.replicas ?? 1;
    const { surge } = resolveRolling(d);
    const template = structuredClone(d.spec.template);
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, [hashLabel]: hash };
    const activeOld = oldRSs.reduce((n, rs) => n + replicasOf(rs), 0);
    // first rollout: all at once; later ones start within the surge (Recreate: after the old are gone)
    const initial =
      d.spec?.strategy?.type === 'Recreate'
        ? activeOld
          ? 0
          : desired
        : Math.max(0, Math.min(desired, desired + surge - activeOld));
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(desired),
          'deployment.kubernetes.io/max-replicas': String(desired + surge),
          [revisionKey]: String(Math.max(0, ...oldRSs.map(revisionOf)) + 1),
        },
        ownerReferences: [ownerRefTo(d)],
      },
      spec: {
        replicas: initial,
        minReadySeconds: d.spec?.minReadySeconds ?? 0,
        selector: {
          ...d.spec.selector,
          matchLabels: { ...d.spec.selector?.matchLabels, [hashLabel]: hash },
        },
        template,
      },
    };
    const created = await api.create('replicasets.apps', d.metadata.namespace, rs, { user });
    if (initial > 0)
      await this.event(d, `Scaled up replica set ${created.metadata.name} from 0 to ${initial}`);
    return created;
  }

  private async scale(d: KubeObject, rs: KubeObject, replicas: number) {
    const from = replicasOf(rs);
    if (from === replicas) return rs;
    const desired: number = d.spec?.replicas ?? 1;
    const annotations = {
      ...rs.metadata.annotations,
      'deployment.kubernetes.io/desired-replicas': String(desired),
      'deployment.kubernetes.io/max-replicas': String(desired + resolveRolling(d).surge),
    };
    const updated = await this.rt.api.update(
      'replicasets.apps',
      rs.metadata.namespace,
      { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, replicas } },
      { user },
    );
    await this.event(
      d,
      `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
    );
    return updated;
  }

  private async recreate(d: KubeObject, newRS: KubeObject, oldRSs: KubeObject[]) {
    const desired: number = d.spec?.replicas ?? 1;
    for (const rs of oldRSs) if (replicasOf(rs) > 0) await this.scale(d, rs, 0);
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const oldPodsLeft = this.rt.api
      .list('pods', { namespace: d.metadata.namespace, labelSelector: selectorOf(d) })
      .items.some(
        (p) =>
          oldUids.has(controllerUid(p)) &&
          p.status?.phase !== 'Succeeded' &&
          p.status?.phase !== 'Failed',
      );
    if (oldPodsLeft) return;
    await this.scale(d, newRS, desired);
  }

  private async rollingUpdate(d: KubeObject, newRS: KubeObject, oldRSs: KubeObject[]) {
    const desired: number = d.spec?.replicas ?? 1;
    const { surge, unavailable } = resolveRolling(d);
    const all = () => [newRS, ...oldRSs];
    const total = () => all().reduce((n, rs) => n + replicasOf(rs), 0);
    // scale up the new ReplicaSet within maxSurge (or down, if the deployment shrank)
    if (replicasOf(newRS) > desired) newRS = await this.scale(d, newRS, desired);
    else if (replicasOf(newRS) < desired) {
      const room = desired + surge - total();
      if (room > 0) newRS = await this.scale(d, newRS, Math.min(desired, replicasOf(newRS) + room));
    }
    // scale down old ones without going under desired - maxUnavailable available pods
    const minAvailable = desired - unavailable;
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    let budget = total() - minAvailable - newUnavailable;
    for (let i = 0; i < oldRSs.length && budget > 0; i++) {
      const rs = oldRSs[i]!;
      const unhealthy = Math.max(0, replicasOf(rs) - (rs.status?.availableReplicas ?? 0));
      const cut = Math.min(unhealthy, budget);
      if (cut > 0) {
        oldRSs[i] = await this.scale(d, rs, replicasOf(rs) - cut);
        budget -= cut;
      }
    }
    const available = all().reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    budget = Math.min(budget, available - minAvailable);
    for (let i = 0; i < oldRSs.length && budget > 0; i++) {
      const rs = oldRSs[i]!;
      const cut = Math.min(replicasOf(rs), budget);
      if (cut > 0) {
        oldRSs[i] = await this.scale(d, rs, replicasOf(rs) - cut);
        budget -= cut;
      }
    }
  }

  private async cleanupHistory(d: KubeObject, oldRSs: KubeObject[]) {
    const limit: number = d.spec?.revisionHistoryLimit ?? 10;
    const idle = oldRSs.filter((rs) => replicasOf(rs) === 0 && !(rs.status?.replicas ?? 0));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      await this.rt.api
        .delete('replicasets.apps', rs.metadata.namespace, rs.metadata.name!, { user })
        .catch(() => {});
    }
  }

  private async writeStatus(
    d: KubeObject,
    newRS: KubeObject | undefined,
    oldRSs: KubeObject[],
    conditions: Condition[],
  ) {
    const api = this.rt.api;
    const fresh = (rs: KubeObject) =>
      api.get('replicasets.apps', rs.metadata.namespace, rs.metadata.name!) ?? rs;
    const news = newRS && fresh(newRS);
    const all = [...(news ? [news] : []), ...oldRSs.map(fresh)];
    const desired: number = d.spec?.replicas ?? 1;
    const sum = (f: (rs: KubeObject) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const counts: Record<string, number> = {
      replicas: sum((rs) => rs.status?.replicas ?? 0),
      updatedReplicas: news?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: sum((rs) => rs.status?.availableReplicas ?? 0),
    };
    counts.unavailableReplicas = Math.max(0, sum(replicasOf) - counts.availableReplicas!);
    const now = rfc3339(this.rt.now());
    const { unavailable } = resolveRolling(d);
    const maxUnavailable = d.spec?.strategy?.type === 'Recreate' || desired === 0 ? 0 : unavailable;
    if (counts.availableReplicas! >= desired - maxUnavailable)
      setCondition(
        conditions,
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: now,
        },
        now,
        { moveToEnd: true },
      );
    else
      setCondition(
        conditions,
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
          lastUpdateTime: now,
        },
        now,
        { moveToEnd: true },
      );

    const failure = all
      .map((rs) =>
        rs.status?.conditions?.find(
          (c: Condition) => c.type === 'ReplicaFailure' && c.status === 'True',
        ),
      )
      .find(Boolean);
    if (failure)
      setCondition(
        conditions,
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: failure.reason,
          message: failure.message,
          lastUpdateTime: now,
        },
        now,
        { moveToEnd: true },
      );
    else {
      const i = conditions.findIndex((c) => c.type === 'ReplicaFailure');
      if (i >= 0) conditions.splice(i, 1);
    }

    const deadline: number | undefined = d.spec?.progressDeadlineSeconds;
    if (deadline !== undefined && news && !d.spec?.paused)
      this.progressing(d, news, counts, conditions, deadline, now);

    const status: any = { observedGeneration: d.metadata.generation };
    for (const k of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
    ])
      if (counts[k]) status[k] = counts[k];
    status.conditions = conditions;
    if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
    const latest = api.get('deployments.apps', d.metadata.namespace, d.metadata.name!);
    if (!latest || latest.metadata.uid !== d.metadata.uid) return;
    if (canonicalJson(status) === canonicalJson(latest.status)) return;
    await api.update(
      'deployments.apps',
      d.metadata.namespace,
      { ...latest, status },
      { subresource: 'status', user },
    );
  }

  /** The Progressing condition: created → updated (progress seen) → available, or timed out. */
  private progressing(
    d: KubeObject,
    newRS: KubeObject,
    counts: Record<string, number>,
    conditions: Condition[],
    deadline: number,
    now: string,
  ) {
    const desired: number = d.spec?.replicas ?? 1;
    const old = d.status ?? {};
    const current = conditions.find((c) => c.type === 'Progressing');
    const complete =
      counts.updatedReplicas === desired &&
      counts.replicas === desired &&
      counts.availableReplicas === desired;
    const progressed =
      (counts.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      (counts.replicas ?? 0) - (counts.updatedReplicas ?? 0) <
        (old.replicas ?? 0) - (old.updatedReplicas ?? 0) ||
      (counts.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (counts.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
    const rsName = newRS.metadata.name;
    if (complete) {
      setCondition(
        conditions,
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
          lastUpdateTime: now,
        },
        now,
        { moveToEnd: true },
      );
      this.cancelDeadline(d);
      return;
    }
    if (progressed || !current) {
      if (current?.reason !== 'NewReplicaSetCreated' || progressed) {
        // progress refreshes lastUpdateTime even when the reason stays the same
        const i = conditions.findIndex((c) => c.type === 'Progressing');
        const transition = current?.status === 'True' ? current.lastTransitionTime : now;
        if (i >= 0) conditions.splice(i, 1);
        conditions.push({
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${rsName}" is progressing.`,
          lastUpdateTime: now,
          lastTransitionTime: transition,
        });
      }
      this.scheduleDeadline(d, deadline * 1000);
      return;
    }
    if (
      current &&
      current.reason !== 'ProgressDeadlineExceeded' &&
      current.status === 'True' &&
      current.reason !== 'NewReplicaSetAvailable'
    ) {
      const since = Date.parse(current.lastUpdateTime ?? current.lastTransitionTime ?? now);
      const left = since + deadline * 1000 - this.rt.now().getTime();
      if (left <= 0)
        setCondition(
          conditions,
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${rsName}" has timed out progressing.`,
            lastUpdateTime: now,
          },
          now,
          { moveToEnd: true },
        );
      else this.scheduleDeadline(d, left);
    }
  }

  private scheduleDeadline(d: KubeObject, ms: number) {
    this.cancelDeadline(d);
    const key = keyOf(d.metadata.namespace, d.metadata.name);
    this.deadlineChecks.set(
      d.metadata.uid!,
      this.rt.after(ms + 1, () => this.queue.add(key)),
    );
  }

  private cancelDeadline(d: KubeObject) {
    this.deadlineChecks.get(d.metadata.uid!)?.();
    this.deadlineChecks.delete(d.metadata.uid!);
  }

  private async event(d: KubeObject, message: string) {
    try {
      await this.rt.api.recordEvent(
        d,
        'Normal',
        'ScalingReplicaSet',
        message,
        'deployment-controller',
      );
    } catch {}
  }
}

/**
 * A Deployment's matchLabels as a label selector: its ReplicaSets and their
 * pods carry them, so lists select by them (as the real controller does)
 * instead of copying a whole namespace. Undefined with matchExpressions.
 */
function selectorOf(d: KubeObject): string | undefined {
  const selector = d.spec?.selector;
  if (selector?.matchExpressions?.length) return undefined;
  const labels: Record<string, string> = selector?.matchLabels ?? {};
  return (
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || undefined
  );
}

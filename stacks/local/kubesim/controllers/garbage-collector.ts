// The garbage collector, by ownerReference uid:
//  - Background: once an owner is gone, its dependents are deleted;
//  - Foreground: an owner carrying `foregroundDeletion` has its dependents
//    deleted first and keeps the finalizer until no blocking dependent is left;
//  - Orphan: an owner carrying `orphan` has its ownerReferences stripped from
//    its dependents, then loses the finalizer.
import type { Controller, KubeObject } from '../types.js';
import { namespacedResources } from './namespace.js';
import { isNotFound, type Runtime, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:generic-garbage-collector';

interface Ref {
  resource: string;
  namespace?: string;
  name: string;
}

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];
  /** uid → where the object lives, for every object we have seen. */
  private readonly byUid = new Map<string, Ref>();
  /** owner uid → dependents' uids. */
  private readonly dependents = new Map<string, Set<string>>();

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (uid) => this.sync(uid));
  }

  /** Owner kinds we can see; references to anything else (Nodes, custom kinds) are left alone. */
  private readonly kinds = new Set<string>();

  start() {
    const api = this.rt.api;
    // Events neither own nor (in practice) are owned: not worth indexing.
    const watched = namespacedResources.filter((r) => r !== 'events');
    for (const resource of watched) this.kinds.add(api.resourceType(resource).kind);
    for (const resource of watched) {
      for (const obj of api.list(resource).items) this.observe(resource, obj, false);
      this.unsubscribe.push(
        this.rt.subscribe(resource, (ev) =>
          this.observe(resource, ev.object, ev.type === 'DELETED'),
        ),
      );
    }
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private observe(resource: string, obj: KubeObject, deleted: boolean) {
    const uid = obj.metadata.uid!;
    const owners = (obj.metadata.ownerReferences ?? []).filter((o) => this.kinds.has(o.kind));
    if (deleted) {
      this.byUid.delete(uid);
      for (const o of owners) this.dependents.get(o.uid)?.delete(uid);
      // the owner's dependents are now orphans (Background), or an owner waiting in the foreground may go
      if (this.dependents.get(uid)?.size) this.queue.add(uid);
      for (const o of owners) if (this.byUid.has(o.uid)) this.queue.add(o.uid);
      return;
    }
    this.byUid.set(uid, { resource, namespace: obj.metadata.namespace, name: obj.metadata.name! });
    for (const o of owners) {
      let set = this.dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(o.uid, set);
      }
      set.add(uid);
      // a dependent whose owner never existed (or is already gone) is collected too
      if (!this.byUid.has(o.uid)) this.queue.add(o.uid, Math.max(this.rt.delays.retry, 50));
    }
    const finalizers = obj.metadata.finalizers ?? [];
    if (
      obj.metadata.deletionTimestamp &&
      (finalizers.includes('foregroundDeletion') || finalizers.includes('orphan'))
    )
      this.queue.add(uid);
  }

  private get(ref: Ref | undefined): KubeObject | undefined {
    return ref && this.rt.api.get(ref.resource, ref.namespace, ref.name);
  }

  private async sync(uid: string) {
    const api = this.rt.api;
    const ownerRef = this.byUid.get(uid);
    const owner = this.get(ownerRef);
    const deps = [...(this.dependents.get(uid) ?? [])]
      .map((d) => ({ ref: this.byUid.get(d)!, uid: d }))
      .filter((d) => d.ref)
      .map((d) => ({ ...d, obj: this.get(d.ref) }))
      .filter((d): d is { ref: Ref; uid: string; obj: KubeObject } =>
        Boolean(d.obj && d.obj.metadata.uid === d.uid),
      );

    if (!owner || owner.metadata.uid !== uid) {
      // Background: delete dependents none of whose owners remain.
      for (const d of deps) {
        // only objects that still name this owner (orphaned ones dropped the reference)
        if (!(d.obj.metadata.ownerReferences ?? []).some((o) => o.uid === uid)) continue;
        const alive = (d.obj.metadata.ownerReferences ?? []).some(
          (o) => o.uid !== uid && this.byUid.has(o.uid),
        );
        if (alive || d.obj.metadata.deletionTimestamp) continue;
        await this.remove(d.ref, 'Background');
      }
      return;
    }
    const finalizers = owner.metadata.finalizers ?? [];
    if (!owner.metadata.deletionTimestamp) return;

    if (finalizers.includes('orphan')) {
      for (const d of deps) {
        const refs = (d.obj.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
        const next = {
          ...d.obj,
          metadata: { ...d.obj.metadata, ownerReferences: refs.length ? refs : undefined },
        };
        if (!refs.length) delete next.metadata.ownerReferences;
        await api.update(d.ref.resource, d.ref.namespace, next, { user });
      }
      await this.dropFinalizer(ownerRef!, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      for (const d of deps)
        if (!d.obj.metadata.deletionTimestamp) await this.remove(d.ref, 'Foreground');
      const blocking = deps.filter((d) =>
        (d.obj.metadata.ownerReferences ?? []).some((o) => o.uid === uid && o.blockOwnerDeletion),
      );
      const stillThere = blocking.filter((d) => this.get(d.ref)?.metadata.uid === d.uid);
      if (!stillThere.length) await this.dropFinalizer(ownerRef!, 'foregroundDeletion');
    }
  }

  private async remove(ref: Ref, propagationPolicy: 'Background' | 'Foreground') {
    try {
      await this.rt.api.delete(ref.resource, ref.namespace, ref.name, { user, propagationPolicy });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async dropFinalizer(ref: Ref, finalizer: string) {
    const obj = this.get(ref);
    if (!obj?.metadata.finalizers?.includes(finalizer)) return;
    await this.rt.api.update(
      ref.resource,
      ref.namespace,
      {
        ...obj,
        metadata: {
          ...obj.metadata,
          finalizers: obj.metadata.finalizers.filter((f) => f !== finalizer),
        },
      },
      { user },
    );
  }
}

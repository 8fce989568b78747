// The resource quota controller: keeps each ResourceQuota's status.hard
// (from spec.hard) and status.used (recounted from the objects in its
// namespace, plus charges admission made for objects not stored yet).

import {
  addLists,
  formatResourceList,
  parseResourceList,
  type ResourceList,
} from '../admission/quantity.js';
import { quotaMatches, usageOf } from '../admission/quota-usage.js';
import { pendingCharges, settleCharges } from '../admission/resource-quota.js';
import type { Controller, KubeObject } from '../types.js';
import { namespacedResources } from './namespace.js';
import { type Runtime, WorkQueue } from './runtime.js';

const user = 'system:serviceaccount:kube-system:resourcequota-controller';

export class QuotaController implements Controller {
  readonly name = 'resourcequota';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly rt: Runtime) {
    this.queue = new WorkQueue(rt, (ns) => this.sync(ns));
  }

  start() {
    const api = this.rt.api;
    for (const resource of namespacedResources) {
      if (resource === 'events') continue;
      this.unsubscribe.push(
        this.rt.subscribe(resource, (ev) => {
          const ns = ev.object.metadata.namespace!;
          if (ev.type === 'ADDED')
            settleCharges(api, api.resourceType(resource).plural, ns, ev.object.metadata.name!);
          if (resource === 'resourcequotas' && ev.type !== 'DELETED') {
            const q = ev.object;
            // only spec changes (or a fresh quota) need a recount; our own status writes do not
            if (
              JSON.stringify(q.spec?.hard ?? {}) !== JSON.stringify(q.status?.hard ?? {}) ||
              !q.status?.used
            )
              this.queue.add(ns);
            return;
          }
          // usage changes on create and delete, when a pod finishes, or when a claim is resized
          const counts =
            ev.type !== 'MODIFIED' ||
            (resource === 'pods' &&
              (ev.object.status?.phase === 'Succeeded' || ev.object.status?.phase === 'Failed')) ||
            resource === 'persistentvolumeclaims';
          if (counts && api.list('resourcequotas', { namespace: ns }).items.length)
            this.queue.add(ns);
        }),
      );
    }
    for (const q of api.list('resourcequotas').items) this.queue.add(q.metadata.namespace!);
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async sync(namespace: string) {
    const api = this.rt.api;
    const quotas = api.list('resourcequotas', { namespace }).items;
    if (!quotas.length) return;
    // usage of everything in the namespace, per object
    const objects: Array<{ rt: ReturnType<typeof api.resourceType>; obj: KubeObject }> = [];
    const stored = new Set<string>();
    // Counting only: read the stored objects without copying them (a busy
    // namespace is recounted at every create and delete in it).
    const read = api.peek ? api.peek.bind(api) : api.list.bind(api);
    for (const resource of namespacedResources) {
      if (resource === 'events') continue;
      const rt = api.resourceType(resource);
      for (const obj of read(resource, { namespace }).items) {
        stored.add(`${rt.plural}/${obj.metadata.name}`);
        objects.push({ rt, obj });
      }
    }
    let waiting = false;
    for (const q of quotas) {
      const hard = parseResourceList(q.spec?.hard);
      let total: ResourceList = {};
      for (const { rt, obj } of objects)
        if (quotaMatches(q, rt, obj)) total = addLists(total, usageOf(rt, obj));
      let used: ResourceList = {};
      for (const name of Object.keys(hard))
        used[name] = total[name] ?? { milli: 0n, format: hard[name]!.format };
      // charges for objects admission let through that storage has not shown us yet
      for (const c of pendingCharges(api)) {
        if (c.quotaUid !== q.metadata.uid || stored.has(`${c.resource}/${c.name}`)) continue;
        waiting = true;
        used = addLists(
          used,
          Object.fromEntries(Object.entries(c.usage).filter(([k]) => k in hard)),
        );
      }
      const status = { hard: { ...q.spec?.hard }, used: formatResourceList(used) };
      if (JSON.stringify(status) === JSON.stringify(q.status)) continue;
      await api.update(
        'resourcequotas',
        namespace,
        { ...q, status },
        { subresource: 'status', user },
      );
    }
    // a charge whose object never arrives (the create failed later) expires: recount then
    if (waiting) this.queue.add(namespace, 5100);
  }
}

// The simulated kube-scheduler: registers three nodes with capacity, binds
// each pending pod to the node with most free cpu among those it fits, and
// otherwise marks it Unschedulable with the real summary message and a
// FailedScheduling event. Pods with WaitForFirstConsumer claims are bound
// only after the claim is (the VolumeBinding plugin's PreBind).
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import { parseResourceList, type ResourceList } from '../admission/quantity.js';
import type { Controller, KubeObject } from '../types.js';
import { type Condition, claimNames, isTerminal, podRequests, setCondition } from './pods.js';
import { keyOf, type Runtime, rfc3339, splitKey, WorkQueue } from './runtime.js';
import { bindingMode } from './storage.js';

export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

export const defaultCapacity: NodeCapacity = { cpu: '4', memory: '16Gi', pods: '110' };
const schedulerUser = 'system:kube-scheduler';

export const nodeName = (i: number) => `kubesim-node-${i + 1}`;

function nodeObject(i: number, capacity: NodeCapacity, now: string): KubeObject {
  const name = nodeName(i);
  const resources = {
    cpu: capacity.cpu,
    memory: capacity.memory,
    pods: capacity.pods,
    'ephemeral-storage': '100Gi',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': `zone-${String.fromCharCode(97 + (i % 3))}`,
      },
    },
    spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${11 + i}` },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.33.0',
        containerRuntimeVersion: 'containerd://2.0.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
        osImage: 'kubesim',
        kernelVersion: '6.8.0',
      },
    },
  };
}

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  private readonly queue: WorkQueue;
  private unsubscribe: Array<() => void> = [];
  private capacity: NodeCapacity;

  constructor(
    private readonly rt: Runtime,
    private readonly nodeCount: number,
    capacity: Partial<NodeCapacity>,
  ) {
    this.capacity = { ...defaultCapacity, ...capacity };
    this.queue = new WorkQueue(rt, (key) => this.schedule(key));
  }

  start() {
    const api = this.rt.api;
    this.rt.run(() => this.registerNodes());
    this.unsubscribe.push(
      this.rt.subscribe('pods', (ev) => {
        const pod = ev.object;
        const key = keyOf(pod.metadata.namespace, pod.metadata.name);
        this.track(pod, ev.type === 'DELETED');
        if (ev.type !== 'DELETED' && !pod.spec?.nodeName) this.queue.add(key);
        // freed capacity may fit someone else
        if (ev.type === 'DELETED' || isTerminal(pod)) this.retryPending();
      }),
      this.rt.subscribe('persistentvolumeclaims', (ev) => {
        if (ev.object.status?.phase === 'Bound' || ev.type === 'ADDED')
          this.retryPending(ev.object.metadata.namespace);
      }),
    );
    for (const pod of api.list('pods').items) {
      this.track(pod, false);
      if (!pod.spec?.nodeName) this.queue.add(keyOf(pod.metadata.namespace, pod.metadata.name));
    }
  }

  /** What runs where (requests per bound pod) and who waits, kept from events: no full list per decision. */
  private readonly bound = new Map<string, { node: string; requests: ResourceList }>();
  private readonly pending = new Map<string, string>();

  private track(pod: KubeObject, deleted: boolean) {
    const uid = pod.metadata.uid!;
    const key = keyOf(pod.metadata.namespace, pod.metadata.name);
    if (deleted || isTerminal(pod)) {
      this.bound.delete(uid);
      this.pending.delete(uid);
      return;
    }
    if (pod.spec?.nodeName) {
      this.pending.delete(uid);
      this.bound.set(uid, { node: pod.spec.nodeName, requests: podRequests(pod) });
    } else if (!pod.metadata.deletionTimestamp) this.pending.set(uid, key);
  }

  stop() {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  async setCapacity(capacity: Partial<NodeCapacity>) {
    this.capacity = { ...this.capacity, ...capacity };
    await this.registerNodes();
    this.retryPending();
  }

  private retryPending(namespace?: string) {
    for (const key of this.pending.values())
      if (!namespace || key.startsWith(`${namespace}/`)) this.queue.add(key);
  }

  private async registerNodes() {
    const api = this.rt.api;
    const now = rfc3339(this.rt.now());
    for (let i = 0; i < this.nodeCount; i++) {
      const desired = nodeObject(i, this.capacity, now);
      const existing = api.get('nodes', undefined, desired.metadata.name!);
      if (!existing)
        await api.create('nodes', undefined, desired, {
          user: `system:node:${desired.metadata.name}`,
        });
      else if (
        JSON.stringify(existing.status?.allocatable) !== JSON.stringify(desired.status.allocatable)
      )
        await api.update(
          'nodes',
          undefined,
          {
            ...existing,
            status: {
              ...existing.status,
              capacity: desired.status.capacity,
              allocatable: desired.status.allocatable,
            },
          },
          { subresource: 'status', user: `system:node:${desired.metadata.name}` },
        );
    }
  }

  private nodes(): KubeObject[] {
    return this.rt.api
      .list('nodes')
      .items.filter((n) => n.metadata.name?.startsWith('kubesim-node-') && !n.spec?.unschedulable);
  }

  private async schedule(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const pod = api.get('pods', ns, name);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || isTerminal(pod)) return;
    if ((pod.spec?.schedulerName ?? 'default-scheduler') !== 'default-scheduler') return;
    await this.rt.sleep(this.rt.delays.schedule);
    const nodes = this.nodes();
    const total = nodes.length;

    // Volumes first, as the VolumeBinding filter: a missing or unbound immediate claim fits nowhere.
    const waitingClaims: KubeObject[] = [];
    for (const claim of claimNames(pod)) {
      const pvc = api.get('persistentvolumeclaims', ns, claim);
      if (!pvc)
        return this.unschedulable(
          pod,
          `0/${total} nodes are available: persistentvolumeclaim "${claim}" not found. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
        );
      if (pvc.metadata.deletionTimestamp)
        return this.unschedulable(
          pod,
          `0/${total} nodes are available: persistentvolumeclaim "${claim}" is being deleted. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
        );
      if (pvc.status?.phase !== 'Bound') {
        if (bindingMode(api, pvc) === 'Immediate')
          return this.unschedulable(
            pod,
            `0/${total} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
          );
        waitingClaims.push(pvc);
      }
    }

    const wanted = podRequests(pod);
    const used = new Map<string, { req: ResourceList; count: number }>();
    for (const [uid, b] of this.bound) {
      if (uid === pod.metadata.uid) continue;
      const u = used.get(b.node) ?? { req: {}, count: 0 };
      for (const [k, v] of Object.entries(b.requests))
        u.req[k] = u.req[k] ? { milli: u.req[k]!.milli + v.milli, format: v.format } : v;
      u.count++;
      used.set(b.node, u);
    }
    const reasons = new Map<string, number>();
    // per node, the first failing filter decides, as the scheduler's filter chain stops there
    let notHelpful = 0;
    const fits: Array<{ node: KubeObject; freeCpu: bigint }> = [];
    const selector: Record<string, string> = pod.spec?.nodeSelector ?? {};
    for (const node of nodes) {
      const alloc = parseResourceList(node.status?.allocatable);
      const u = used.get(node.metadata.name!) ?? { req: {}, count: 0 };
      const why: string[] = [];
      if (!Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v)) {
        why.push("node(s) didn't match Pod's node affinity/selector");
        notHelpful++;
      } else {
        if (alloc.pods && BigInt(u.count + 1) * 1000n > alloc.pods.milli) why.push('Too many pods');
        for (const [k, v] of Object.entries(wanted)) {
          const free = (alloc[k]?.milli ?? 0n) - (u.req[k]?.milli ?? 0n);
          if (v.milli > free) why.push(`Insufficient ${k}`);
        }
      }
      for (const w of why) reasons.set(w, (reasons.get(w) ?? 0) + 1);
      if (!why.length)
        fits.push({ node, freeCpu: (alloc.cpu?.milli ?? 0n) - (u.req.cpu?.milli ?? 0n) });
    }
    if (!fits.length) {
      const summary = [...reasons]
        .map(([r, n]) => `${n} ${r}`)
        .sort()
        .join(', ');
      const preemption = [
        ...(total - notHelpful
          ? [`${total - notHelpful} No preemption victims found for incoming pod`]
          : []),
        ...(notHelpful ? [`${notHelpful} Preemption is not helpful for scheduling`] : []),
      ].join(', ');
      return this.unschedulable(
        pod,
        `0/${total} nodes are available: ${summary}. preemption: 0/${total} nodes are available: ${preemption}.`,
      );
    }
    fits.sort((a, b) =>
      a.freeCpu === b.freeCpu
        ? a.node.metadata.name!.localeCompare(b.node.metadata.name!)
        : a.freeCpu > b.freeCpu
          ? -1
          : 1,
    );
    const target = fits[0]!.node.metadata.name!;

    // WaitForFirstConsumer: choose the node for the claim, then bind the pod once the claim is Bound.
    if (waitingClaims.length) {
      for (const pvc of waitingClaims) {
        if (pvc.metadata.annotations?.['volume.kubernetes.io/selected-node']) continue;
        pvc.metadata.annotations = {
          ...pvc.metadata.annotations,
          'volume.kubernetes.io/selected-node': target,
        };
        await api.update('persistentvolumeclaims', ns, pvc, { user: schedulerUser });
      }
      return; // the claim's Bound event requeues this pod
    }
    await this.bind(pod, target);
  }

  private async bind(pod: KubeObject, node: string) {
    const api = this.rt.api;
    const ns = pod.metadata.namespace!;
    const bound = await api.update(
      'pods',
      ns,
      { ...pod, spec: { ...pod.spec, nodeName: node } },
      { user: schedulerUser },
    );
    const now = rfc3339(this.rt.now());
    const conditions: Condition[] = [...(bound.status?.conditions ?? [])];
    setCondition(conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null }, now);
    await api.update(
      'pods',
      ns,
      {
        ...bound,
        status: { ...bound.status, phase: bound.status?.phase ?? 'Pending', conditions },
      },
      { subresource: 'status', user: schedulerUser },
    );
    await this.event(
      bound,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${pod.metadata.name} to ${node}`,
    );
  }

  private async unschedulable(pod: KubeObject, message: string) {
    const api = this.rt.api;
    const now = rfc3339(this.rt.now());
    const conditions: Condition[] = [...(pod.status?.conditions ?? [])];
    const changed = setCondition(
      conditions,
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastProbeTime: null,
      },
      now,
    );
    if (changed || pod.status?.phase !== 'Pending')
      await api.update(
        'pods',
        pod.metadata.namespace,
        { ...pod, status: { ...pod.status, phase: 'Pending', conditions } },
        { subresource: 'status', user: schedulerUser },
      );
    await this.event(pod, 'Warning', 'FailedScheduling', message);
    // The real scheduler retries unschedulable pods on cluster changes and at least every few minutes.
    this.queue.add(
      keyOf(pod.metadata.namespace, pod.metadata.name),
      Math.max(this.rt.delays.retry * 20, 1000),
    );
  }

  private async event(
    pod: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) {
    try {
      await this.rt.api.recordEvent(pod, type, reason, message, 'default-scheduler');
    } catch {
      // events are best effort, as in client-go's recorder
    }
  }
}

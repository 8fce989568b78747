// The simulated kubelets of the three nodes: a bound pod goes
// ContainerCreating → (Pulling, Pulled, Created, Started) → Running → Ready,
// with the status, conditions and events a real kubelet writes, unless a
// script says the image fails to pull, crashes, cannot be configured or never
// becomes ready. A pod being deleted is stopped and removed (grace 0) after
// the terminate delay, within its grace period.
// biome-ignore-all lint/suspicious/noExplicitAny: objects are schemaless JSON
import { createHash } from 'node:crypto';
import { StatusError } from '../errors.js';
import type { Controller, KubeObject } from '../types.js';
import type { PodPages } from './pod-pages.js';
import { type Condition, setCondition } from './pods.js';
import { isNotFound, keyOf, type Runtime, rfc3339, splitKey, WorkQueue } from './runtime.js';

export type ImageBehaviour =
  | 'Run'
  | 'ErrImagePull'
  | 'CrashLoopBackOff'
  | 'CreateContainerConfigError'
  | 'NeverReady';

export class Scripts {
  private readonly images = new Map<string, ImageBehaviour>();
  private readonly namespaces = new Map<string, ImageBehaviour>();

  setImage(image: string, b: ImageBehaviour) {
    this.images.set(image, b);
  }
  setNamespace(ns: string, b: ImageBehaviour) {
    this.namespaces.set(ns, b);
  }
  clear() {
    this.images.clear();
    this.namespaces.clear();
  }
  /** Exact image first, then the image without tag/digest, then the namespace. */
  behaviour(image: string, ns: string): ImageBehaviour {
    const repo = image.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    return this.images.get(image) ?? this.images.get(repo) ?? this.namespaces.get(ns) ?? 'Run';
  }
}

/** Where a pod is in its simulated life. Kept in memory; the API object shows the result. */
type Stage = 'new' | 'creating' | 'pulled' | 'running' | 'ready' | 'stuck' | 'terminating';

interface PodSim {
  uid: string;
  stage: Stage;
  restarts: Record<string, number>;
  startedAt?: string;
  podIP?: string;
  cancel: Array<() => void>;
}

/** How containerd reports an image: `nginx` → `docker.io/library/nginx:latest`. */
export function normalizeImage(image: string): string {
  let ref = image;
  const first = ref.split('/')[0]!;
  const hasRegistry =
    ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${ref.includes('/') ? '' : 'library/'}${ref}`;
  if (!ref.includes('@') && !/:[^/]+$/.test(ref)) ref += ':latest';
  return ref;
}

const imageId = (image: string) =>
  `${normalizeImage(image).replace(/[:@][^/]*$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}`;

const nodeIndex = (node: string) => Math.max(0, Number(node.replace(/\D+/g, '')) - 1);

export class Kubelet implements Controller {
  readonly name = 'kubelet';
  private readonly queue: WorkQueue;
  private readonly sims = new Map<string, PodSim>();
  private unsubscribe?: () => void;
  private nextIp = 2;

  constructor(
    private readonly rt: Runtime,
    private readonly scripts: Scripts,
    private readonly pages?: PodPages,
  ) {
    this.queue = new WorkQueue(rt, (key) => this.sync(key));
  }

  start() {
    const api = this.rt.api;
    this.unsubscribe = this.rt.subscribe('pods', (ev) => {
      const pod = ev.object;
      const key = keyOf(pod.metadata.namespace, pod.metadata.name);
      if (ev.type === 'DELETED') return this.forget(pod.metadata.uid!);
      if (pod.spec?.nodeName) this.queue.add(key);
    });
    for (const pod of api.list('pods').items)
      if (pod.spec?.nodeName) this.queue.add(keyOf(pod.metadata.namespace, pod.metadata.name));
  }

  stop() {
    this.unsubscribe?.();
    for (const uid of [...this.sims.keys()]) this.forget(uid);
  }

  private forget(uid: string) {
    const sim = this.sims.get(uid);
    if (!sim) return;
    for (const c of sim.cancel) c();
    this.sims.delete(uid);
    this.pages?.close(uid);
  }

  /** Level-triggered: looks at the pod and moves it one step on, scheduling the next. */
  private async sync(key: string) {
    const api = this.rt.api;
    const [ns, name] = splitKey(key);
    const pod = api.get('pods', ns, name);
    if (!pod?.spec?.nodeName) return;
    const uid = pod.metadata.uid!;
    let sim = this.sims.get(uid);
    if (pod.metadata.deletionTimestamp) return this.terminate(pod, sim);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    if (!sim) {
      sim = { uid, stage: 'new', restarts: {}, cancel: [] };
      this.sims.set(uid, sim);
      // A pod found Running (e.g. after a restart of kubesim) is adopted as it is.
      if (pod.status?.phase === 'Running') {
        sim.stage = pod.status?.conditions?.some(
          (c: Condition) => c.type === 'Ready' && c.status === 'True',
        )
          ? 'ready'
          : 'running';
        sim.podIP = pod.status?.podIP;
        sim.startedAt = pod.status?.startTime;
        if (sim.stage === 'ready') this.pages?.open(pod);
        return;
      }
    }
    if (sim.stage === 'new') return this.beginCreating(pod, sim);
  }

  private later(sim: PodSim, ms: number, fn: () => Promise<void>) {
    sim.cancel.push(this.rt.after(ms, () => this.step(sim, fn)));
  }

  /** Runs a step only if the pod is still the one we simulate and is not being deleted. */
  private async step(sim: PodSim, fn: () => Promise<void>) {
    if (!this.sims.has(sim.uid) || sim.stage === 'terminating') return;
    try {
      await fn();
    } catch (err) {
      if (isNotFound(err)) this.forget(sim.uid);
      else throw err;
    }
  }

  private current(pod: KubeObject): KubeObject | undefined {
    const fresh = this.rt.api.get('pods', pod.metadata.namespace, pod.metadata.name!);
    return fresh && fresh.metadata.uid === pod.metadata.uid && !fresh.metadata.deletionTimestamp
      ? fresh
      : undefined;
  }

  private async writeStatus(
    pod: KubeObject,
    mutate: (status: any, now: string) => void,
  ): Promise<KubeObject | undefined> {
    // Other writers (the scheduler, controllers) race with us: re-read and retry on conflicts.
    for (let attempt = 0; ; attempt++) {
      const fresh = this.current(pod);
      if (!fresh) return undefined;
      const status = structuredClone(fresh.status ?? {});
      const now = rfc3339(this.rt.now());
      status.conditions ??= [];
      mutate(status, now);
      try {
        return await this.rt.api.update(
          'pods',
          fresh.metadata.namespace,
          { ...fresh, status },
          { subresource: 'status', user: `system:node:${fresh.spec.nodeName}` },
        );
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409) || attempt >= 10) throw err;
      }
    }
  }

  private async event(
    pod: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) {
    try {
      await this.rt.api.recordEvent(pod, type, reason, message, 'kubelet');
    } catch {}
  }

  private containers(pod: KubeObject): any[] {
    return pod.spec?.containers ?? [];
  }

  private behaviourOf(pod: KubeObject, c: any) {
    return this.scripts.behaviour(c.image ?? '', pod.metadata.namespace!);
  }

  private unready(status: any, now: string, names: string[]) {
    const message = `containers with unready status: [${names.join(' ')}]`;
    setCondition(
      status.conditions,
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message,
        lastProbeTime: null,
      },
      now,
    );
    setCondition(
      status.conditions,
      {
        type: 'ContainersReady',
        status: 'False',
        reason: 'ContainersNotReady',
        message,
        lastProbeTime: null,
      },
      now,
    );
  }

  /** Kubelet's condition order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled. */
  private orderConditions(status: any) {
    const order = [
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ];
    status.conditions.sort(
      (a: Condition, b: Condition) => order.indexOf(a.type) - order.indexOf(b.type),
    );
  }

  private async beginCreating(pod: KubeObject, sim: PodSim) {
    sim.stage = 'creating';
    const node = pod.spec.nodeName as string;
    const names = this.containers(pod).map((c) => c.name);
    sim.podIP = `10.244.${nodeIndex(node)}.${(this.nextIp++ % 250) + 2}`;
    await this.writeStatus(pod, (status, now) => {
      status.phase = 'Pending';
      status.hostIP = `10.0.0.${11 + nodeIndex(node)}`;
      status.hostIPs = [{ ip: status.hostIP }];
      status.startTime ??= now;
      setCondition(
        status.conditions,
        { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null },
        now,
      );
      setCondition(
        status.conditions,
        { type: 'Initialized', status: 'True', lastProbeTime: null },
        now,
      );
      this.unready(status, now, names);
      setCondition(
        status.conditions,
        { type: 'PodScheduled', status: 'True', lastProbeTime: null },
        now,
      );
      this.orderConditions(status);
      if (pod.spec.initContainers?.length)
        status.initContainerStatuses = pod.spec.initContainers.map((c: any) => ({
          name: c.name,
          image: normalizeImage(c.image),
          imageID: '',
          ready: true,
          restartCount: 0,
          started: false,
          state: {
            terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now },
          },
        }));
      status.containerStatuses = this.containers(pod).map((c) => ({
        name: c.name,
        image: normalizeImage(c.image),
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      }));
    });
    this.later(sim, 0, () => this.pull(pod, sim));
  }

  /** Secret and ConfigMap volumes must exist before the sandbox starts: FailedMount until they do. */
  private async mountVolumes(pod: KubeObject, sim: PodSim): Promise<boolean> {
    const ns = pod.metadata.namespace!;
    for (const v of pod.spec?.volumes ?? []) {
      const ref = v.secret
        ? {
            kind: 'secret',
            resource: 'secrets',
            name: v.secret.secretName,
            optional: v.secret.optional,
          }
        : v.configMap
          ? {
              kind: 'configmap',
              resource: 'configmaps',
              name: v.configMap.name,
              optional: v.configMap.optional,
            }
          : undefined;
      if (!ref || ref.optional || this.rt.api.get(ref.resource, ns, ref.name)) continue;
      await this.event(
        pod,
        'Warning',
        'FailedMount',
        `MountVolume.SetUp failed for volume "${v.name}" : ${ref.kind} "${ref.name}" not found`,
      );
      const attempt = (sim.restarts['#mount'] ?? 0) + 1;
      sim.restarts['#mount'] = attempt;
      this.later(sim, this.backoff(attempt), () => this.pull(pod, sim));
      return false;
    }
    return true;
  }

  private async pull(pod: KubeObject, sim: PodSim) {
    if (!(await this.mountVolumes(pod, sim))) return;
    for (const c of this.containers(pod))
      await this.event(pod, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
    this.later(sim, this.rt.delays.pull, () => this.pulled(pod, sim));
  }

  private async pulled(pod: KubeObject, sim: PodSim) {
    const containers = this.containers(pod);
    const failing = containers.filter((c) => this.behaviourOf(pod, c) === 'ErrImagePull');
    if (failing.length) return this.pullFailed(pod, sim, failing);
    const seconds = (this.rt.delays.pull / 1000).toFixed(3);
    for (const c of containers)
      await this.event(
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${c.image}" in ${seconds}s (${seconds}s including waiting). Image size: 52428800 bytes.`,
      );
    sim.stage = 'pulled';
    await this.createContainers(pod, sim);
  }

  /** ErrImagePull on each attempt, ImagePullBackOff while waiting for the next (10s, 20s, ... as the kubelet). */
  private async pullFailed(pod: KubeObject, sim: PodSim, failing: any[]) {
    const attempt = (sim.restarts['#pull'] ?? 0) + 1;
    sim.restarts['#pull'] = attempt;
    const errMessage = (c: any) =>
      `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`;
    for (const c of failing) {
      await this.event(
        pod,
        'Warning',
        'Failed',
        `Failed to pull image "${c.image}": ${errMessage(c)}`,
      );
      await this.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    }
    await this.setWaiting(pod, failing, 'ErrImagePull', errMessage);
    for (const c of failing) {
      await this.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
      await this.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
    }
    await this.setWaiting(
      pod,
      failing,
      'ImagePullBackOff',
      (c) => `Back-off pulling image "${c.image}"`,
    );
    this.later(sim, this.backoff(attempt), async () => {
      const fresh = this.current(pod);
      if (!fresh) return;
      await this.pull(fresh, sim);
    });
  }

  private backoff(attempt: number) {
    return this.rt.delays.crashBackOff * Math.min(2 ** (attempt - 1), 30);
  }

  private async setWaiting(
    pod: KubeObject,
    containers: any[],
    reason: string,
    message: (c: any) => string,
  ) {
    await this.writeStatus(pod, (status) => {
      status.phase = 'Pending';
      for (const cs of status.containerStatuses ?? []) {
        const c = containers.find((f) => f.name === cs.name);
        if (c) cs.state = { waiting: { reason, message: message(c) } };
      }
    });
  }

  /** Why the kubelet cannot build this container's config: a script, or a missing ConfigMap/Secret (key). */
  private configError(pod: KubeObject, c: any): string | undefined {
    if (this.behaviourOf(pod, c) === 'CreateContainerConfigError')
      return `container has runAsNonRoot and image will run as root (pod: "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})", container: ${c.name})`;
    const ns = pod.metadata.namespace!;
    const lookup = (
      kind: 'configmap' | 'secret',
      name: string,
      key?: string,
      optional?: boolean,
    ) => {
      if (optional) return undefined;
      const obj = this.rt.api.get(kind === 'configmap' ? 'configmaps' : 'secrets', ns, name);
      if (!obj) return `${kind} "${name}" not found`;
      if (
        key !== undefined &&
        !(key in (obj.data ?? {})) &&
        !(key in (obj.binaryData ?? {})) &&
        !(key in (obj.stringData ?? {}))
      )
        return `couldn't find key ${key} in ${kind === 'configmap' ? 'ConfigMap' : 'Secret'} ${ns}/${name}`;
      return undefined;
    };
    for (const from of c.envFrom ?? []) {
      const err =
        (from.configMapRef &&
          lookup('configmap', from.configMapRef.name, undefined, from.configMapRef.optional)) ||
        (from.secretRef &&
          lookup('secret', from.secretRef.name, undefined, from.secretRef.optional));
      if (err) return err;
    }
    for (const env of c.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      const sec = env.valueFrom?.secretKeyRef;
      const err =
        (cm && lookup('configmap', cm.name, cm.key, cm.optional)) ||
        (sec && lookup('secret', sec.name, sec.key, sec.optional));
      if (err) return err;
    }
    return undefined;
  }

  private async createContainers(pod: KubeObject, sim: PodSim) {
    const containers = this.containers(pod);
    const errors = new Map(containers.map((c) => [c.name, this.configError(pod, c)] as const));
    const misconfigured = containers.filter((c) => errors.get(c.name));
    if (misconfigured.length) {
      sim.stage = 'stuck';
      const detail = (c: any) => errors.get(c.name)!;
      for (const c of misconfigured)
        await this.event(pod, 'Warning', 'Failed', `Error: ${detail(c)}`);
      await this.writeStatus(pod, (status) => {
        status.phase = 'Pending';
        for (const cs of status.containerStatuses ?? []) {
          const c = misconfigured.find((m) => m.name === cs.name);
          if (c)
            cs.state = { waiting: { reason: 'CreateContainerConfigError', message: detail(c) } };
        }
      });
      // the kubelet retries on every sync; the event count grows
      this.later(sim, Math.max(this.rt.delays.crashBackOff, 1000), () =>
        this.createContainers(pod, sim),
      );
      return;
    }
    for (const c of containers) {
      await this.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
      await this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
    }
    this.later(sim, this.rt.delays.start, () => this.running(pod, sim));
  }

  private async running(pod: KubeObject, sim: PodSim) {
    sim.stage = 'running';
    const containers = this.containers(pod);
    await this.writeStatus(pod, (status, now) => {
      status.phase = 'Running';
      status.podIP = sim.podIP;
      status.podIPs = [{ ip: sim.podIP }];
      setCondition(
        status.conditions,
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null },
        now,
      );
      this.unready(
        status,
        now,
        containers.map((c) => c.name),
      );
      this.orderConditions(status);
      sim.startedAt = now;
      status.containerStatuses = containers.map((c) => {
        const prev = (status.containerStatuses ?? []).find((cs: any) => cs.name === c.name);
        return {
          ...(prev?.lastState ? { lastState: prev.lastState } : {}),
          name: c.name,
          image: normalizeImage(c.image),
          imageID: imageId(c.image),
          containerID: `containerd://${createHash('sha256')
            .update(`${sim.uid}/${c.name}/${sim.restarts[c.name] ?? 0}`)
            .digest('hex')}`,
          ready: false,
          restartCount: sim.restarts[c.name] ?? 0,
          started: true,
          state: { running: { startedAt: now } },
        };
      });
    });
    const behaviours = containers.map((c) => this.behaviourOf(pod, c));
    if (behaviours.includes('CrashLoopBackOff')) {
      this.later(sim, Math.max(this.rt.delays.start, 1), () => this.crashed(pod, sim));
      return;
    }
    if (behaviours.includes('NeverReady')) {
      const probe = containers.find((c) => c.readinessProbe);
      if (probe)
        this.later(sim, this.rt.delays.ready, () =>
          this.event(
            pod,
            'Warning',
            'Unhealthy',
            'Readiness probe failed: HTTP probe failed with statuscode: 503',
          ),
        );
      return;
    }
    this.later(sim, this.rt.delays.ready, () => this.ready(pod, sim));
  }

  private async ready(pod: KubeObject, sim: PodSim) {
    sim.stage = 'ready';
    const updated = await this.writeStatus(pod, (status, now) => {
      setCondition(status.conditions, { type: 'Ready', status: 'True', lastProbeTime: null }, now);
      setCondition(
        status.conditions,
        { type: 'ContainersReady', status: 'True', lastProbeTime: null },
        now,
      );
      for (const cs of status.containerStatuses ?? []) cs.ready = true;
    });
    if (updated) this.pages?.open(updated);
  }

  private async crashed(pod: KubeObject, sim: PodSim) {
    const containers = this.containers(pod);
    const crashing = containers.filter((c) => this.behaviourOf(pod, c) === 'CrashLoopBackOff');
    await this.writeStatus(pod, (status, now) => {
      this.unready(
        status,
        now,
        containers.map((c) => c.name),
      );
      for (const cs of status.containerStatuses ?? []) {
        if (!crashing.some((c) => c.name === cs.name)) continue;
        const restarts = (sim.restarts[cs.name] ?? 0) + 1;
        sim.restarts[cs.name] = restarts;
        const backoff = Math.min(10 * 2 ** (restarts - 1), 300);
        cs.lastState = {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: cs.state?.running?.startedAt ?? now,
            finishedAt: now,
            containerID: cs.containerID,
          },
        };
        cs.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${backoff >= 60 ? `${Math.floor(backoff / 60)}m${backoff % 60}s` : `${backoff}s`} restarting failed container=${cs.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
          },
        };
        cs.ready = false;
        cs.started = false;
        cs.restartCount = restarts;
      }
    });
    for (const c of crashing)
      await this.event(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      );
    const restarts = Math.max(...crashing.map((c) => sim.restarts[c.name] ?? 1));
    this.later(sim, this.backoff(restarts), async () => {
      for (const c of crashing) {
        await this.event(
          pod,
          'Normal',
          'Pulled',
          `Container image "${c.image}" already present on machine`,
        );
        await this.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
        await this.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
      }
      await this.running(pod, sim);
    });
  }

  private async terminate(pod: KubeObject, sim: PodSim | undefined) {
    if (sim?.stage === 'terminating') return;
    if (sim) {
      for (const c of sim.cancel) c();
      sim.cancel = [];
      sim.stage = 'terminating';
    }
    this.pages?.close(pod.metadata.uid!);
    const wasRunning = pod.status?.phase === 'Running';
    if (wasRunning)
      for (const c of this.containers(pod))
        await this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    const delay = Math.min(wasRunning ? this.rt.delays.terminate : 0, grace);
    this.rt.after(delay, async () => {
      const fresh = this.rt.api.get('pods', pod.metadata.namespace, pod.metadata.name!);
      if (!fresh || fresh.metadata.uid !== pod.metadata.uid) return;
      try {
        await this.rt.api.delete('pods', pod.metadata.namespace, pod.metadata.name!, {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
          user: `system:node:${pod.spec.nodeName}`,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.forget(pod.metadata.uid!);
    });
  }
}

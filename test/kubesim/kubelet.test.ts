// Behaviours 10, 11, 16 and 17: the simulated scheduler and kubelet, their
// scripts, PVC binding and the pod's local HTTP page (through the real client).
import { once } from 'node:events';
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster({ kubelet: { servePods: true } });
const sim = () => cluster.sim.simulation;

const pod = (
  name: string,
  image = 'nginx:1.27',
  extra: Partial<NonNullable<V1Pod['spec']>> = {},
  labels?: Record<string, string>,
): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: {
    containers: [{ name: 'app', image, resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    ...extra,
  },
});

const pvc = (name: string, storageClassName?: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '5Gi' } },
    ...(storageClassName ? { storageClassName } : {}),
  },
});

const conditions = (p: V1Pod) =>
  Object.fromEntries((p.status?.conditions ?? []).map((c: V1PodCondition) => [c.type, c.status]));

async function eventsFor(ns: string, name: string) {
  const list = await cluster.core.listNamespacedEvent({
    namespace: ns,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items.map((e) => ({
    reason: e.reason,
    type: e.type,
    message: e.message,
    count: e.count,
  }));
}

describe('scheduler and kubelet', () => {
  it('takes a pod from Pending to Running/Ready with the real conditions, container state and events', async () => {
    const ns = await createNamespace(cluster);
    sim().pause();
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p') });
    let p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Pending');
    expect(p.spec?.nodeName).toBeUndefined();

    await sim().advance(0);
    p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    sim().resume();
    await sim().settle();
    p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.spec?.nodeName).toMatch(/^kubesim-node-[123]$/);
    expect(p.status?.phase).toBe('Running');
    expect(p.status?.conditions?.map((c) => c.type)).toEqual([
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ]);
    expect(conditions(p)).toEqual({
      PodReadyToStartContainers: 'True',
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    expect(p.status?.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(p.status?.containerStatuses?.[0]).toMatchObject({
      name: 'app',
      ready: true,
      started: true,
      restartCount: 0,
    });
    expect(p.status?.containerStatuses?.[0]?.state?.running?.startedAt).toBeDefined();
    const reasons = (await eventsFor(ns, 'p')).map((e) => e.reason);
    expect(reasons).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
  });

  it('pause and advance step the kubelet through ContainerCreating in simulated time', async () => {
    const ns = await createNamespace(cluster);
    // a slow image pull, in simulated milliseconds
    const slow = await import('../../stacks/local/kubesim/index.js').then((m) =>
      m.startKubesim({ kubelet: { delays: { pull: 5000 }, paused: true } }),
    );
    try {
      await slow.api.create('namespaces', undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
      await slow.simulation.advance(0);
      await slow.api.create('pods', ns, pod('p') as never);
      await slow.simulation.advance(0);
      let p = slow.api.get('pods', ns, 'p')!;
      expect(p.spec.nodeName).toBeDefined();
      expect(p.status.phase).toBe('Pending');
      expect(p.status.containerStatuses[0].state).toEqual({
        waiting: { reason: 'ContainerCreating' },
      });
      await slow.simulation.advance(4000);
      expect(slow.api.get('pods', ns, 'p')!.status.phase).toBe('Pending');
      await slow.simulation.advance(1000);
      p = slow.api.get('pods', ns, 'p')!;
      expect(p.status.phase).toBe('Running');
    } finally {
      await slow.stop();
    }
  });

  it('ErrImagePull turns into ImagePullBackOff and the pod stays Pending', async () => {
    const ns = await createNamespace(cluster);
    sim().scriptImage('ghcr.io/acme/missing', 'ErrImagePull');
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('p', 'ghcr.io/acme/missing:v1'),
    });
    await sim().settle();
    // between pull attempts (each an ErrImagePull) the container waits in ImagePullBackOff
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "ghcr.io/acme/missing:v1"',
    });
    const events = await eventsFor(ns, 'p');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ErrImagePull',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'Failed',
        message:
          'Failed to pull image "ghcr.io/acme/missing:v1": failed to pull and unpack image "ghcr.io/acme/missing:v1": failed to resolve reference "ghcr.io/acme/missing:v1": ghcr.io/acme/missing:v1: not found',
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Normal',
        reason: 'BackOff',
        message: 'Back-off pulling image "ghcr.io/acme/missing:v1"',
      }),
    );
    sim().clearScripts();
  });

  it('CrashLoopBackOff: Running, not Ready, restartCount growing', async () => {
    const ns = await createNamespace(cluster);
    sim().scriptNamespace(ns, 'CrashLoopBackOff');
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p') });
    await sim().settle();
    await new Promise((r) => setTimeout(r, 200));
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Running');
    expect(conditions(p).Ready).toBe('False');
    const cs = p.status?.containerStatuses?.[0];
    expect(cs?.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const events = await eventsFor(ns, 'p');
    expect(events.find((e) => e.reason === 'BackOff')?.message).toBe(
      `Back-off restarting failed container app in pod p_${ns}(${p.metadata?.uid})`,
    );
    sim().clearScripts();
  });

  it('CreateContainerConfigError: container has runAsNonRoot and image will run as root', async () => {
    const ns = await createNamespace(cluster);
    sim().scriptImage('rooty', 'CreateContainerConfigError');
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p', 'rooty:latest') });
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: `container has runAsNonRoot and image will run as root (pod: "p_${ns}(${p.metadata?.uid})", container: app)`,
    });
    sim().clearScripts();
  });

  it('a container whose env refers to a missing Secret waits in CreateContainerConfigError until it exists', async () => {
    const ns = await createNamespace(cluster);
    const body = pod('p');
    body.spec!.containers[0]!.env = [
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } },
    ];
    await cluster.core.createNamespacedPod({ namespace: ns, body });
    await sim().settle();
    let p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'secret "creds" not found',
    });
    expect(await eventsFor(ns, 'p')).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: secret "creds" not found',
      }),
    );

    await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'creds' }, stringData: { token: 't' } },
    });
    await new Promise((r) => setTimeout(r, 1100)); // the kubelet's next retry
    await sim().settle();
    p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Running');
  });

  it('a missing Secret volume keeps the pod ContainerCreating with FailedMount events', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('p', 'nginx', { volumes: [{ name: 'certs', secret: { secretName: 'tls' } }] }),
    });
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(await eventsFor(ns, 'p')).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'FailedMount',
        message: 'MountVolume.SetUp failed for volume "certs" : secret "tls" not found',
      }),
    );
  });

  it('NeverReady: Running but Ready stays False with ContainersNotReady', async () => {
    const ns = await createNamespace(cluster);
    sim().scriptImage('slowpoke', 'NeverReady');
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p', 'slowpoke') });
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(p.status?.phase).toBe('Running');
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [app]',
    });
    sim().clearScripts();
  });

  it('Unschedulable when capacity runs out: PodScheduled False and a FailedScheduling event', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: {
        ...pod('big'),
        spec: {
          containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '64' } } }],
        },
      },
    });
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'big' });
    expect(p.status?.phase).toBe('Pending');
    const message =
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    expect(p.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
      }),
    ]);
    expect(await eventsFor(ns, 'big')).toContainEqual(
      expect.objectContaining({ type: 'Warning', reason: 'FailedScheduling', message }),
    );
  });

  it('setNodeCapacity: pods wait Unschedulable until capacity returns, then run', async () => {
    const ns = await createNamespace(cluster);
    await sim().setNodeCapacity({ cpu: '200m' });
    try {
      await cluster.core.createNamespacedPod({
        namespace: ns,
        body: {
          ...pod('wait'),
          spec: {
            containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '300m' } } }],
          },
        },
      });
      await sim().settle();
      const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'wait' });
      expect(p.status?.conditions?.[0]).toMatchObject({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
      });
      expect(p.status?.conditions?.[0]?.message).toMatch(
        /^0\/3 nodes are available: 3 Insufficient cpu\. /,
      );
    } finally {
      await sim().setNodeCapacity({ cpu: '4' });
    }
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'wait' });
    expect(p.status?.phase).toBe('Running');
  });

  it('a nodeSelector no node matches leaves the pod Unschedulable with the affinity reason', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('gpu', 'nginx', { nodeSelector: { 'lablease.dev/pool': 'gpu' } }),
    });
    await sim().settle();
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'gpu' });
    expect(p.status?.conditions?.[0]?.message).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('graceful deletion: the pod shows deletionTimestamp, then the kubelet removes it', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod('p') });
    await sim().settle();
    sim().pause();
    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'p' });
    const terminating = await cluster.core.readNamespacedPod({ namespace: ns, name: 'p' });
    expect(terminating.metadata?.deletionTimestamp).toBeDefined();
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(30);
    sim().resume();
    await sim().settle();
    expect((await cluster.core.listNamespacedPod({ namespace: ns })).items).toHaveLength(0);
    expect((await eventsFor(ns, 'p')).map((e) => e.reason)).toContain('Killing');
  });
});

describe('PersistentVolumeClaims', () => {
  it('binds a claim of the default (Immediate) class: Pending → Bound with a volume and capacity', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: pvc('work') });
    await sim().settle();
    const claim = await cluster.core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'work',
    });
    expect(claim.spec?.storageClassName).toBe('standard');
    expect(claim.metadata?.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(claim.status?.phase).toBe('Bound');
    expect(claim.spec?.volumeName).toBe(`pvc-${claim.metadata?.uid}`);
    expect(claim.status?.capacity).toEqual({ storage: '5Gi' });
  });

  it('WaitForFirstConsumer keeps the claim Pending until a pod using it is scheduled', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: pvc('work', 'wait-for-first-consumer'),
    });
    await sim().settle();
    let claim = await cluster.core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'work',
    });
    expect(claim.status?.phase).toBe('Pending');
    expect(await eventsFor(ns, 'work')).toContainEqual(
      expect.objectContaining({
        type: 'Normal',
        reason: 'WaitForFirstConsumer',
        message: 'waiting for first consumer to be created before binding',
      }),
    );

    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod('user', 'nginx', {
        volumes: [{ name: 'w', persistentVolumeClaim: { claimName: 'work' } }],
      }),
    });
    await sim().settle();
    claim = await cluster.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'work' });
    expect(claim.status?.phase).toBe('Bound');
    const p = await cluster.core.readNamespacedPod({ namespace: ns, name: 'user' });
    expect(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node']).toBe(
      p.spec?.nodeName,
    );
    expect(p.status?.phase).toBe('Running');
  });
});

describe('the pod page (behaviour 17)', () => {
  it('a Ready pod serves its environment, user and the request headers on 127.0.0.1', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({
      namespace: ns,
      body: pod(
        'env-pod',
        'nginx',
        {},
        { 'lablease.dev/env': 'e-123', 'lablease.dev/user': 'u-9', app: 'e' },
      ),
    });
    await cluster.core.createNamespacedService({
      namespace: ns,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'e' },
        spec: { selector: { app: 'e' }, ports: [{ port: 80 }] },
      },
    });
    await sim().settle();
    const url = sim().podEndpoint(ns, 'env-pod');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(sim().serviceEndpoint(ns, 'e')).toBe(url);
    const res = await fetch(url!, {
      headers: { accept: 'application/json', 'x-forwarded-user': 'u-9' },
    });
    const body = await res.json();
    expect(body).toMatchObject({ environment: 'e-123', user: 'u-9', pod: `${ns}/env-pod` });
    expect(body.headers['x-forwarded-user']).toBe('u-9');
    const html = await (await fetch(url!)).text();
    expect(html).toContain('Environment e-123');

    // A websocket on any path: first what the page saw, then an echo.
    const ws = new WebSocket(`${url!.replace('http', 'ws')}socket?x=1`, {
      headers: { 'x-forwarded-user': 'u-9' },
    });
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    await once(ws, 'open');
    ws.send('ping 1');
    await vi.waitFor(() => expect(messages).toHaveLength(2));
    expect(JSON.parse(messages[0]!)).toMatchObject({
      environment: 'e-123',
      websocket: true,
      path: '/socket?x=1',
      headers: { 'x-forwarded-user': 'u-9' },
    });
    expect(messages[1]).toBe('ping 1');
    const closed = once(ws, 'close');

    await cluster.core.deleteNamespacedPod({ namespace: ns, name: 'env-pod' });
    await sim().settle();
    expect(sim().podEndpoint(ns, 'env-pod')).toBeUndefined();
    await closed; // the pod's websockets go with it
  });
});

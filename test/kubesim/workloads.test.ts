// Behaviour 9: Deployment → ReplicaSet → Pods, rollouts and the status a real
// controller reports (through the real client).
import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deployment } from './fixtures.js';
import { createNamespace, setupTestCluster } from './support.js';

const cluster = setupTestCluster();

const settle = () => cluster.sim.simulation.settle();
const conditionsOf = (d: V1Deployment) =>
  Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, c]));

describe('Deployment controller', () => {
  it('creates a ReplicaSet and pods with controller ownerReferences and reports it Available', async () => {
    const ns = await createNamespace(cluster);
    const created = await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('web'),
    });
    await settle();

    const rsList = await cluster.apps.listNamespacedReplicaSet({ namespace: ns });
    expect(rsList.items).toHaveLength(1);
    const rs = rsList.items[0]!;
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: created.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('1');

    const pods = await cluster.core.listNamespacedPod({ namespace: ns });
    expect(pods.items).toHaveLength(1);
    const pod = pods.items[0]!;
    expect(pod.metadata?.name).toMatch(
      new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`),
    );
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'ReplicaSet',
      name: rs.metadata?.name,
      controller: true,
    });
    expect(pod.status?.phase).toBe('Running');

    const d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    expect(d.status?.unavailableReplicas).toBeUndefined();
    expect(d.status?.conditions?.map((c) => c.type)).toEqual(['Available', 'Progressing']);
    const c = conditionsOf(d);
    expect(c.Available).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    });
    expect(c.Progressing).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "web-${hash}" has successfully progressed.`,
    });

    const events = await cluster.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.kind=Deployment',
    });
    expect(events.items.map((e) => e.message)).toContain(
      `Scaled up replica set web-${hash} from 0 to 1`,
    );
  });

  it('scales 1 → 0 → 1 and drops the zero counters from status (omitempty)', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: deployment('lab') });
    await settle();

    await cluster.apps.patchNamespacedDeploymentScale({
      namespace: ns,
      name: 'lab',
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });
    await settle();
    let d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'lab' });
    expect(d.spec?.replicas).toBe(0);
    expect(d.status?.replicas).toBeUndefined();
    expect(d.status?.readyReplicas).toBeUndefined();
    expect(d.status?.availableReplicas).toBeUndefined();
    expect(d.status?.updatedReplicas).toBeUndefined();
    expect(d.status?.observedGeneration).toBe(2);
    expect(conditionsOf(d).Available?.status).toBe('True');
    expect((await cluster.core.listNamespacedPod({ namespace: ns })).items).toHaveLength(0);

    await cluster.apps.patchNamespacedDeploymentScale({
      namespace: ns,
      name: 'lab',
      body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
    });
    await settle();
    d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'lab' });
    expect(d.status).toMatchObject({
      observedGeneration: 3,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    expect(conditionsOf(d).Progressing).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    // same template: the same ReplicaSet is scaled, no new revision
    expect((await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items).toHaveLength(1);
  });

  it('Recreate rolls out a new template: old pods gone before the new ReplicaSet scales up', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('rec', { strategy: 'Recreate' }),
    });
    await settle();
    const before = (await cluster.core.listNamespacedPod({ namespace: ns })).items.map(
      (p) => p.metadata?.name,
    );

    const next = deployment('rec', { strategy: 'Recreate', image: 'nginx:1.28' });
    await cluster.apps.replaceNamespacedDeployment({ namespace: ns, name: 'rec', body: next });
    await settle();

    const rsList = (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    expect(rsList).toHaveLength(2);
    const byRevision = Object.fromEntries(
      rsList.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs]),
    );
    expect(byRevision['1']?.spec?.replicas).toBe(0);
    expect(byRevision['2']?.spec?.replicas).toBe(1);
    expect(
      (await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'rec' })).metadata
        ?.annotations?.['deployment.kubernetes.io/revision'],
    ).toBe('2');
    const pods = (await cluster.core.listNamespacedPod({ namespace: ns })).items;
    expect(pods).toHaveLength(1);
    expect(before).not.toContain(pods[0]?.metadata?.name);
    expect(pods[0]?.spec?.containers[0]?.image).toBe('nginx:1.28');
    const d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'rec' });
    expect(d.status).toMatchObject({
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      availableReplicas: 1,
    });
  });

  it('RollingUpdate replaces pods within maxSurge and keeps the old ReplicaSet at 0', async () => {
    const ns = await createNamespace(cluster);
    await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('roll', { replicas: 2 }),
    });
    await settle();
    await cluster.apps.replaceNamespacedDeployment({
      namespace: ns,
      name: 'roll',
      body: deployment('roll', { replicas: 2, image: 'nginx:1.28' }),
    });
    await settle();
    const rsList = (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    expect(rsList.map((rs) => rs.spec?.replicas).sort()).toEqual([0, 2]);
    const pods = (await cluster.core.listNamespacedPod({ namespace: ns })).items;
    expect(pods.map((p) => p.spec?.containers[0]?.image)).toEqual(['nginx:1.28', 'nginx:1.28']);
    const d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'roll' });
    expect(d.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });

  it('reports ProgressDeadlineExceeded when new pods never become available, and ReplicaFailure-free Available False', async () => {
    const ns = await createNamespace(cluster);
    const sim = cluster.sim.simulation;
    sim.scriptNamespace(ns, 'NeverReady');
    sim.pause();
    try {
      await cluster.apps.createNamespacedDeployment({
        namespace: ns,
        body: deployment('stuck', { progressDeadlineSeconds: 30 }),
      });
      await sim.advance(0);
      let d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'stuck' });
      const rsName = (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items[0]
        ?.metadata?.name;
      expect(conditionsOf(d).Progressing).toMatchObject({
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: `ReplicaSet "${rsName}" is progressing.`,
      });
      expect(conditionsOf(d).Available).toMatchObject({
        status: 'False',
        reason: 'MinimumReplicasUnavailable',
      });
      expect(d.status).toMatchObject({ replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 });
      expect(d.status?.readyReplicas).toBeUndefined();

      await sim.advance(31_000);
      d = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'stuck' });
      expect(conditionsOf(d).Progressing).toMatchObject({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rsName}" has timed out progressing.`,
      });
    } finally {
      sim.resume();
      sim.clearScripts();
    }
  });

  it('runs a Lablease-shaped environment: restricted namespace, quota, LimitRange, WFFC claim, Recreate; stop and start', async () => {
    const ns = await createNamespace(cluster, undefined, {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    await cluster.core.createNamespacedResourceQuota({
      namespace: ns,
      body: {
        metadata: { name: 'q' },
        spec: {
          hard: {
            pods: '2',
            'limits.cpu': '2',
            'limits.memory': '4Gi',
            'requests.storage': '20Gi',
          },
        },
      },
    });
    await cluster.core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: 'l' },
        spec: {
          limits: [
            {
              type: 'Container',
              max: { cpu: '2', memory: '4Gi' },
              _default: { cpu: '500m', memory: '1Gi' },
            },
          ],
        },
      },
    });
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace: ns,
      body: {
        metadata: { name: 'workspace' },
        spec: {
          storageClassName: 'wait-for-first-consumer',
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '10Gi' } },
        },
      },
    });
    const d = deployment('env', { strategy: 'Recreate' });
    d.spec!.template.spec!.volumes = [
      { name: 'workspace', persistentVolumeClaim: { claimName: 'workspace' } },
    ];
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: d });
    await settle();

    const claim = await cluster.core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: 'workspace',
    });
    expect(claim.status?.phase).toBe('Bound');
    let dep = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'env' });
    expect(dep.status).toMatchObject({ availableReplicas: 1, readyReplicas: 1 });
    let quota = await cluster.core.readNamespacedResourceQuota({ namespace: ns, name: 'q' });
    expect(quota.status?.used).toEqual({
      'limits.cpu': '500m',
      'limits.memory': '256Mi',
      pods: '1',
      'requests.storage': '10Gi',
    });

    // stop: replicas 0 frees the pod's quota, the claim stays Bound
    await cluster.apps.patchNamespacedDeploymentScale({
      namespace: ns,
      name: 'env',
      body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
    });
    await settle();
    quota = await cluster.core.readNamespacedResourceQuota({ namespace: ns, name: 'q' });
    expect(quota.status?.used).toEqual({
      'limits.cpu': '0',
      'limits.memory': '0',
      pods: '0',
      'requests.storage': '10Gi',
    });
    expect(
      (await cluster.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: 'workspace' }))
        .status?.phase,
    ).toBe('Bound');

    // start again
    await cluster.apps.patchNamespacedDeploymentScale({
      namespace: ns,
      name: 'env',
      body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
    });
    await settle();
    dep = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'env' });
    expect(dep.status).toMatchObject({ replicas: 1, availableReplicas: 1 });
    expect(conditionsOf(dep).Progressing?.reason).toBe('NewReplicaSetAvailable');
  });
});

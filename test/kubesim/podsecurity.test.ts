// Behaviour 6: Pod Security Admission as the real API server applies it —
// pods refused with every failing check listed, workloads admitted with a
// warning whose pods then fail in the ReplicaSet's FailedCreate events.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deployment } from './fixtures.js';
import { apiError, createNamespace, setupTestCluster, uniqueName } from './support.js';

const cluster = setupTestCluster();
const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };

const barePod = (name: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

const violations =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('Pod Security admission', () => {
  it('refuses a violating pod with 403 and every failing restricted check, in the real order', async () => {
    const ns = await createNamespace(cluster, undefined, restricted);
    const err = await apiError(
      cluster.core.createNamespacedPod({ namespace: ns, body: barePod('x') }),
    );
    expect(err.code).toBe(403);
    expect(err.status).toMatchObject({
      status: 'Failure',
      reason: 'Forbidden',
      message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ${violations}`,
      details: { name: 'x', kind: 'pods' },
      code: 403,
    });
  });

  it('admits a pod hardened as Lablease builds it', async () => {
    const ns = await createNamespace(cluster, undefined, restricted);
    const d = deployment('ok');
    const pod: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ok' },
      spec: d.spec!.template.spec,
    };
    const created = await cluster.core.createNamespacedPod({ namespace: ns, body: pod });
    expect(created.metadata?.uid).toBeDefined();
  });

  it('names the pinned version and baseline checks (host namespaces, privileged) for a baseline namespace', async () => {
    const ns = await createNamespace(cluster, undefined, {
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.30',
    });
    const pod = barePod('root');
    pod.spec!.hostNetwork = true;
    pod.spec!.containers[0]!.securityContext = { privileged: true };
    const err = await apiError(cluster.core.createNamespacedPod({ namespace: ns, body: pod }));
    expect(err.code).toBe(403);
    expect(err.status.message).toBe(
      'pods "root" is forbidden: violates PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('creates a violating Deployment with a Warning; its pods fail: FailedCreate events and ReplicaFailure', async () => {
    const ns = await createNamespace(cluster, undefined, restricted);
    const d: V1Deployment = deployment('bad');
    d.spec!.template.spec = { containers: [{ name: 'c', image: 'nginx' }] };
    const res = await cluster.apps.createNamespacedDeploymentWithHttpInfo({
      namespace: ns,
      body: d,
    });
    expect(res.httpStatusCode).toBe(201);
    expect(res.headers.warning).toBe(
      `299 - "would violate PodSecurity \\"restricted:latest\\": ${violations.replaceAll('"', '\\"')}"`,
    );
    await cluster.sim.simulation.settle();

    const [rs] = (await cluster.apps.listNamespacedReplicaSet({ namespace: ns })).items;
    expect((await cluster.core.listNamespacedPod({ namespace: ns })).items).toHaveLength(0);
    const podError = `pods "${rs?.metadata?.name}-"`;
    const events = await cluster.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'reason=FailedCreate',
    });
    expect(events.items.length).toBeGreaterThan(0);
    const event = events.items[0]!;
    expect(event).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'ReplicaSet', name: rs?.metadata?.name },
    });
    expect(event.message).toBe(
      `Error creating: ${podError} is forbidden: violates PodSecurity "restricted:latest": ${violations}`,
    );

    expect(rs?.status?.conditions?.[0]).toMatchObject({
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
    });
    const dep = await cluster.apps.readNamespacedDeployment({ namespace: ns, name: 'bad' });
    const failure = dep.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    expect(failure).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure?.message).toContain('violates PodSecurity "restricted:latest"');
    expect(dep.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(dep.status?.availableReplicas).toBeUndefined();
  });

  it('answers 422 for an invalid level on the Namespace', async () => {
    const name = uniqueName('ns');
    const err = await apiError(
      cluster.core.createNamespace({
        body: { metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'strict' } } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.reason).toBe('Invalid');
    expect(err.status.message).toBe(
      `Namespace "${name}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`,
    );
    expect(err.status.details.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "strict": must be one of privileged, baseline, restricted',
        field: 'metadata.labels[pod-security.kubernetes.io/enforce]',
      },
    ]);
  });

  it('warn mode admits the pod with a Warning header', async () => {
    const ns = await createNamespace(cluster, undefined, {
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const res = await cluster.core.createNamespacedPodWithHttpInfo({
      namespace: ns,
      body: barePod('w'),
    });
    expect(res.httpStatusCode).toBe(201);
    expect(res.headers.warning).toContain(
      'would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false',
    );
  });

  it('tightening a namespace to restricted warns about the pods already running there', async () => {
    const ns = await createNamespace(cluster);
    await cluster.core.createNamespacedPod({ namespace: ns, body: barePod('a') });
    await cluster.core.createNamespacedPod({ namespace: ns, body: barePod('b') });
    const current = await cluster.core.readNamespace({ name: ns });
    current.metadata!.labels = { ...current.metadata?.labels, ...restricted };
    const res = await cluster.core.replaceNamespaceWithHttpInfo({ name: ns, body: current });
    expect(res.httpStatusCode).toBe(200);
    const warning = res.headers.warning ?? '';
    expect(warning).toContain(
      `existing pods in namespace \\"${ns}\\" violate the new PodSecurity enforce level \\"restricted:latest\\"`,
    );
    expect(warning).toContain(
      'a (and 1 other pod): allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile',
    );
  });
});

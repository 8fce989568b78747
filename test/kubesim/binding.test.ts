// pods/binding, as the scheduler binds a pod to a node; and what a client may
// not do instead (set spec.nodeName on an existing pod).
import { describe, expect, it } from 'vitest';
import { apiError, setupTestCluster, uniqueName } from './support.js';

const cluster = setupTestCluster({ controllers: [] });

async function namespace() {
  const ns = uniqueName('bind');
  await cluster.sim.api.create('namespaces', undefined, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await cluster.sim.api.create('serviceaccounts', ns, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default' },
  });
  return ns;
}

const pod = {
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
};

describe('pods/binding', () => {
  it('binds once; a second binding is a 409', async () => {
    const ns = await namespace();
    await cluster.core.createNamespacedPod({ namespace: ns, body: pod });
    const binding = {
      metadata: { name: 'p' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'kubesim-node-2' },
    };
    await cluster.core.createNamespacedPodBinding({ namespace: ns, name: 'p', body: binding });
    expect(cluster.sim.api.get('pods', ns, 'p')?.spec.nodeName).toBe('kubesim-node-2');
    const again = await apiError(
      cluster.core.createNamespacedPodBinding({ namespace: ns, name: 'p', body: binding }),
    );
    expect(again.code).toBe(409);
    expect(again.status.message).toBe(
      'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "kubesim-node-2"',
    );
  });

  it('a client update may not set spec.nodeName', async () => {
    const ns = await namespace();
    const created = await cluster.core.createNamespacedPod({ namespace: ns, body: pod });
    const err = await apiError(
      cluster.core.replaceNamespacedPod({
        namespace: ns,
        name: 'p',
        body: { ...created, spec: { ...created.spec!, nodeName: 'kubesim-node-1' } },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.status.details.causes[0].field).toBe('spec');
  });
});

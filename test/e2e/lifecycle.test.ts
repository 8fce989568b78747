// An environment's whole life over HTTP on the local stack: the API writes
// intents, the provisioner converges kubesim through the real client, and the
// status comes back through the API.

import { readFileSync } from 'node:fs';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { objectNames } from '../../core/environment/naming.js';
import { eventually, setupPlatform } from '../support/platform.js';

const ctx = setupPlatform();

interface Env {
  id: string;
  name: string;
  ownerId: string;
  desiredState: string;
  generation: number;
  volume: { name: string };
  dataDeletion: { purgeAfter: string } | null;
  status: {
    phase: string;
    url: string | null;
    observedGeneration: number;
    failure: { reason: string; message: string } | null;
    conditions: Array<{ type: string; status: string }>;
  };
}

function kube() {
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(ctx.platform.cluster.kubeconfigPath!, 'utf8'));
  return {
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
  };
}

/** The environment's route objects under the default router (gateway): HTTPRoute and SecurityPolicy. */
async function routesOf(namespace: string, id: string) {
  const { custom } = kube();
  const list = (group: string, version: string, plural: string) =>
    custom
      .listNamespacedCustomObject({
        group,
        version,
        namespace,
        plural,
        labelSelector: `lablease.dev/env=${id}`,
      })
      .then((r) => (r as { items: Array<{ metadata: { name: string }; spec: unknown }> }).items);
  const [routes, policies] = await Promise.all([
    list('gateway.networking.k8s.io', 'v1', 'httproutes'),
    list('gateway.envoyproxy.io', 'v1alpha1', 'securitypolicies'),
  ]);
  return { routes, policies };
}

const get = async (id: string) => (await ctx.admin.json<Env>(`/api/v1/environments/${id}`)).body;
const until = (id: string, phase: string, timeoutMs = 30_000) =>
  eventually(
    `${id} to be ${phase}`,
    () => get(id),
    (e) => e.status.phase === phase,
    timeoutMs,
  );

describe('an environment, end to end', () => {
  it('lists the catalog for the tier', async () => {
    const { status, body } = await ctx.admin.json<{ items: Array<{ id: string }> }>(
      '/api/v1/templates',
    );
    expect(status).toBe(200);
    expect(body.items.map((t) => t.id)).toContain('jupyterlab');
    expect(body.items.map((t) => t.id)).not.toContain('code-server'); // pro only
  });

  it('runs, stops, starts on the same data, is deleted, and its data deleted, restored and purged', async () => {
    const created = await ctx.admin.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Thesis', templateId: 'jupyterlab' },
    });
    expect(created.status).toBe(202);
    expect(created.res.headers.get('location')).toBe(`/api/v1/environments/${created.body.id}`);
    const id = created.body.id;
    const running = await until(id, 'Running');
    // On the local router's port (ENVIRONMENTS_DOMAIN=env.localhost:<port>).
    expect(running.status.url).toBe(`http://${id}.env.localhost:${ctx.platform.router!.port}/`);
    expect(running.status.observedGeneration).toBe(running.generation);
    const ns = `lab-${running.ownerId}`;
    const { core, apps } = kube();
    const pvc = await core.readNamespacedPersistentVolumeClaim({
      namespace: ns,
      name: running.volume.name,
    });
    expect(pvc.status?.phase).toBe('Bound');
    // Routed on its own host, behind forward auth to the API's /auth/verify.
    const routed = await routesOf(ns, id);
    expect(routed.routes.map((r) => r.spec)).toMatchObject([
      { hostnames: [`${id}.env.localhost`], rules: [{ backendRefs: [{ name: id, port: 80 }] }] },
    ]);
    expect(routed.policies.map((p) => p.spec)).toMatchObject([
      {
        targetRefs: [{ kind: 'HTTPRoute', name: id }],
        extAuth: { http: { path: '/auth/verify' } },
      },
    ]);

    expect(
      (await ctx.admin.json<Env>(`/api/v1/environments/${id}/stop`, { method: 'POST' })).status,
    ).toBe(202);
    await until(id, 'Stopped');
    // The route stays while stopped: the router answers its "stopped" page on the host.
    const whileStopped = await routesOf(ns, id);
    expect([whileStopped.routes.length, whileStopped.policies.length]).toEqual([1, 1]);
    const pods = await core.listNamespacedPod({
      namespace: ns,
      labelSelector: `lablease.dev/env=${id}`,
    });
    expect(pods.items).toHaveLength(0);
    expect(
      (await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: running.volume.name }))
        .metadata?.uid,
    ).toBe(pvc.metadata?.uid);

    expect(
      (await ctx.admin.json(`/api/v1/environments/${id}/start`, { method: 'POST' })).status,
    ).toBe(202);
    const again = await until(id, 'Running');
    expect(again.status.url).toBe(running.status.url);
    const deployment = await apps.readNamespacedDeployment({
      namespace: ns,
      name: objectNames(id).deployment,
    });
    expect(
      deployment?.spec?.template.spec?.volumes?.find((v) => v.persistentVolumeClaim)
        ?.persistentVolumeClaim?.claimName,
    ).toBe(running.volume.name);

    expect((await ctx.admin.json(`/api/v1/environments/${id}`, { method: 'DELETE' })).status).toBe(
      202,
    );
    await until(id, 'Deleted');
    expect(
      (
        await apps.listNamespacedDeployment({
          namespace: ns,
          labelSelector: `lablease.dev/env=${id}`,
        })
      ).items,
    ).toHaveLength(0);
    const afterDelete = await routesOf(ns, id);
    expect([afterDelete.routes.length, afterDelete.policies.length]).toEqual([0, 0]);
    expect(
      (await core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: running.volume.name }))
        .metadata?.uid,
    ).toBe(pvc.metadata?.uid);

    const wrong = await ctx.admin.json(`/api/v1/environments/${id}/data/delete`, {
      method: 'POST',
      body: { confirm: 'thesis' },
    });
    expect(wrong.status).toBe(422);
    const scheduled = await ctx.admin.json<Env>(`/api/v1/environments/${id}/data/delete`, {
      method: 'POST',
      body: { confirm: 'Thesis' },
    });
    expect(scheduled.status).toBe(202);
    expect(new Date(scheduled.body.dataDeletion!.purgeAfter).getTime()).toBeGreaterThan(
      Date.now() + 6 * 86_400_000,
    );
    const restored = await ctx.admin.json<Env>(`/api/v1/environments/${id}/data/restore`, {
      method: 'POST',
    });
    expect(restored.body.dataDeletion).toBeNull();

    await ctx.admin.json(`/api/v1/environments/${id}/data/delete`, {
      method: 'POST',
      body: { confirm: 'Thesis' },
    });
    expect(
      (await ctx.admin.json(`/api/v1/environments/${id}/data/purge`, { method: 'POST' })).status,
    ).toBe(202);
    await eventually(
      'the volume to be purged',
      () =>
        core.readNamespacedPersistentVolumeClaim({ namespace: ns, name: running.volume.name }).then(
          () => 'present',
          () => 'gone',
        ),
      (v) => v === 'gone',
    );
  }, 120_000);

  it('answers ETag and 304 on an unchanged environment', async () => {
    const { status, body } = await ctx.admin.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Etag', templateId: 'agent-api' },
    });
    expect(status).toBe(202);
    await until(body.id, 'Running');
    const first = await ctx.admin.request(`/api/v1/environments/${body.id}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const second = await ctx.admin.request(`/api/v1/environments/${body.id}`, {
      headers: { 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
    await ctx.admin.json(`/api/v1/environments/${body.id}`, { method: 'DELETE' });
    await until(body.id, 'Deleted');
  }, 60_000);

  it('cancels cleanly when stopped while still starting', async () => {
    const sim = ctx.platform.cluster.kubesim!.simulation;
    // The image starts but never becomes ready: the environment stays Starting
    // (deterministically, without pausing the cluster's controllers).
    sim.scriptImage('docker.io/library/python', 'NeverReady');
    const created = await ctx.admin.json<Env>('/api/v1/environments', {
      method: 'POST',
      body: { name: 'Cancel', templateId: 'streamlit' },
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    try {
      await eventually(
        'Starting',
        () => get(id),
        (e) => e.status.phase === 'Starting',
      );
      expect(
        (await ctx.admin.json(`/api/v1/environments/${id}/stop`, { method: 'POST' })).status,
      ).toBe(202);
    } finally {
      sim.clearScripts();
    }
    const stopped = await until(id, 'Stopped');
    expect(stopped.desiredState).toBe('stopped');
    const { core } = kube();
    const pods = await core.listNamespacedPod({
      namespace: `lab-${stopped.ownerId}`,
      labelSelector: `lablease.dev/env=${id}`,
    });
    expect(pods.items.filter((p) => !p.metadata?.deletionTimestamp)).toHaveLength(0);
    expect((await get(id)).status.phase).toBe('Stopped');
    await ctx.admin.json(`/api/v1/environments/${id}`, { method: 'DELETE' });
    await until(id, 'Deleted');
  }, 60_000);
});

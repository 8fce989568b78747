// Observing environments from listed objects, and finding orphans.
import { describe, expect, it } from 'vitest';
import { HTTPROUTE, SECURITY_POLICY } from '../../../core/cluster/routes/gateway.js';
import {
  ClusterSnapshot,
  findOrphans,
  type Listed,
  observedFor,
} from '../../../core/cluster/snapshot.js';
import { ANNOTATION_SCAFFOLD, SCAFFOLD_VERSION } from '../../../core/environment/markers.js';
import { anEnvironment, ENV_ID, USER } from '../environment/fixtures.js';

const NS = `lab-${USER}`;
const labels = (env: string) => ({
  'app.kubernetes.io/managed-by': 'lablease',
  'lablease.dev/user': USER,
  'lablease.dev/env': env,
});
const obj = (name: string, env: string, createdAt = '2026-03-01T07:00:00Z', namespace = NS) => ({
  metadata: { name, namespace, labels: labels(env), creationTimestamp: createdAt },
});
const empty = (): Listed => ({
  namespaces: [],
  volumes: [],
  deployments: [],
  services: [],
  networkPolicies: [],
  pods: [],
});

describe('ClusterSnapshot', () => {
  it('finds each environment object in its owner namespace, and its pods by label', () => {
    const env = anEnvironment();
    const listed: Listed = {
      ...empty(),
      namespaces: [
        { metadata: { name: NS, annotations: { [ANNOTATION_SCAFFOLD]: SCAFFOLD_VERSION } } },
      ],
      volumes: [obj(`${ENV_ID}-workspace`, ENV_ID)],
      deployments: [obj(ENV_ID, ENV_ID), obj(ENV_ID, ENV_ID, undefined, 'lab-other')],
      services: [obj(ENV_ID, ENV_ID)],
      pods: [obj(`${ENV_ID}-abc`, ENV_ID), obj('other-pod', 'eqqqqqqqqqqqqqqqq')],
    };
    const objects = new ClusterSnapshot(listed).objectsOf(env);
    expect(objects.deployment?.metadata?.namespace).toBe(NS);
    expect(objects.pods.map((p) => p.metadata?.name)).toEqual([`${ENV_ID}-abc`]);
    const observed = observedFor(env, objects);
    expect(observed).toMatchObject({
      namespaceScaffold: true,
      service: true,
      networkPolicy: false,
    });
    expect(observed.deployment).toBeDefined();
    expect(observed.volume).toEqual({ phase: 'Pending', deleting: false });
  });

  it('sees a route as present only when every object of the router is listed', () => {
    const env = anEnvironment();
    const base: Listed = {
      ...empty(),
      namespaces: [
        { metadata: { name: NS, annotations: { [ANNOTATION_SCAFFOLD]: SCAFFOLD_VERSION } } },
      ],
    };
    const routes = (policy: boolean, route: boolean): Listed['routes'] => [
      { ...SECURITY_POLICY, items: policy ? [obj(ENV_ID, ENV_ID)] : [] },
      { ...HTTPROUTE, items: route ? [obj(ENV_ID, ENV_ID, undefined, 'lab-other')] : [] },
    ];
    const seen = (listed: Listed) =>
      observedFor(env, new ClusterSnapshot(listed).objectsOf(env)).route;
    expect(seen(base)).toBeUndefined(); // no router managed
    expect(seen({ ...base, routes: routes(true, false) })).toBe(false);
    expect(seen({ ...base, routes: routes(true, true) })).toBe(false); // the route is in another namespace
    expect(
      seen({
        ...base,
        routes: [
          { ...SECURITY_POLICY, items: [obj(ENV_ID, ENV_ID)] },
          { ...HTTPROUTE, items: [obj(ENV_ID, ENV_ID)] },
        ],
      }),
    ).toBe(true);
    // Without the namespace, a router's route is missing, not unmanaged.
    expect(observedFor(env, { pods: [], routes: [undefined] }).route).toBe(false);
  });

  it('observes nothing without the namespace', () => {
    const observed = observedFor(anEnvironment(), { pods: [] });
    expect(observed).toMatchObject({ namespaceScaffold: false, service: false, pods: [] });
    expect(observed.deployment).toBeUndefined();
  });
});

describe('findOrphans', () => {
  const now = new Date('2026-03-01T08:00:00Z');
  it('finds compute and volumes of environments not live, after the grace period', () => {
    const gone = 'ezzzzzzzzzzzzzzzz';
    const young = 'eyyyyyyyyyyyyyyyy';
    const listed: Listed = {
      ...empty(),
      deployments: [
        obj(ENV_ID, ENV_ID),
        obj(gone, gone),
        obj(young, young, '2026-03-01T07:59:00Z'),
      ],
      services: [obj(gone, gone)],
      // The namespace's default-deny policy belongs to no environment.
      networkPolicies: [
        {
          metadata: {
            name: 'lablease-default-deny',
            namespace: NS,
            labels: { 'app.kubernetes.io/managed-by': 'lablease' },
            creationTimestamp: '2026-03-01T07:00:00Z',
          },
        },
      ],
      volumes: [obj(`${gone}-workspace`, gone)],
      routes: [
        { ...SECURITY_POLICY, items: [obj(gone, gone), obj(ENV_ID, ENV_ID)] },
        { ...HTTPROUTE, items: [obj(gone, gone), obj(young, young, '2026-03-01T07:59:00Z')] },
      ],
    };
    const found = findOrphans(listed, new Set([ENV_ID]), now, 10 * 60_000);
    // An HTTPRoute goes before the SecurityPolicy guarding it: never a route left unguarded.
    expect(found.compute.map((o) => `${o.kind}/${o.name}`)).toEqual([
      `Deployment/${gone}`,
      `HTTPRoute/${gone}`,
      `SecurityPolicy/${gone}`,
      `Service/${gone}`,
    ]);
    expect(found.compute[1]).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      namespace: NS,
      envId: gone,
    });
    expect(found.compute[0]).toMatchObject({ namespace: NS, envId: gone, ownerId: USER });
    expect(found.volumes.map((o) => o.name)).toEqual([`${gone}-workspace`]);
  });
});

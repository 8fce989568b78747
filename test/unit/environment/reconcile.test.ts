// The reconciler's pure decisions: leave, enqueue, or store a refreshed
// status; and the counters recounted from the environments.
import { describe, expect, it } from 'vitest';
import type { Environment } from '../../../core/environment/model.js';
import type { Observed } from '../../../core/environment/observed.js';
import { plan } from '../../../core/environment/planner.js';
import { reconcileDecision, recount, sameStatus } from '../../../core/environment/reconcile.js';
import { anEnvironment, USER } from './fixtures.js';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const options = {
  stuckAfterSeconds: 120,
  planOptions: { url: (id: string) => `http://${id}.env` },
};

function readyObserved(generation = 1, patch: Partial<Observed['deployment']> = {}): Observed {
  return {
    namespaceScaffold: true,
    volume: { phase: 'Bound', deleting: false },
    deployment: {
      replicas: 1,
      generation: 1,
      observedGeneration: 1,
      appliedGeneration: generation,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [],
      deleting: false,
      ...patch,
    },
    service: true,
    networkPolicy: true,
    pods: [
      {
        name: 'p1',
        phase: 'Running',
        deleting: false,
        nodeName: 'node-1',
        createdAt: at(0).toISOString(),
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        containerStatuses: [
          {
            name: 'workspace',
            ready: true,
            started: true,
            restartCount: 0,
            state: { running: {} },
          },
        ],
      },
    ],
    events: [],
  };
}

/** An environment whose stored status is what the provisioner wrote after it became ready. */
function settledRunning(): Environment {
  const env = anEnvironment({ updatedAt: at(0).toISOString() });
  const status = plan(env, readyObserved(), at(1), options.planOptions).status;
  return { ...env, status: { ...status, lastActivityAt: at(2).toISOString() } };
}

describe('reconcileDecision', () => {
  it('does nothing for a settled environment the cluster agrees with', () => {
    expect(reconcileDecision(settledRunning(), readyObserved(), at(30), options)).toBeUndefined();
  });

  it('enqueues when the deployment was deleted by hand', () => {
    const observed = { ...readyObserved(), deployment: undefined, pods: [] };
    expect(reconcileDecision(settledRunning(), observed, at(30), options)).toEqual({
      type: 'enqueue',
      why: 'drift',
      actions: ['applyDeployment'],
    });
  });

  it('enqueues when replicas were edited by hand', () => {
    const observed = readyObserved(1, { replicas: 3 });
    expect(reconcileDecision(settledRunning(), observed, at(30), options)).toMatchObject({
      type: 'enqueue',
      actions: ['applyDeployment'],
    });
  });

  it('enqueues a stopped environment whose deployment was scaled up again', () => {
    const env = { ...settledRunning(), desiredState: 'stopped' as const };
    env.status = plan(
      env,
      {
        ...readyObserved(),
        pods: [],
        deployment: { ...readyObserved().deployment!, replicas: 0, readyReplicas: 0 },
      },
      at(3),
    ).status;
    expect(reconcileDecision(env, readyObserved(), at(30), options)).toMatchObject({
      type: 'enqueue',
      actions: ['scaleDeployment'],
    });
  });

  it('leaves a fresh change of intent to its own message, and re-enqueues it once stuck', () => {
    const env = { ...settledRunning(), generation: 2, updatedAt: at(29).toISOString() };
    expect(reconcileDecision(env, readyObserved(), at(30), options)).toBeUndefined();
    expect(reconcileDecision(env, readyObserved(), at(32), options)).toEqual({
      type: 'enqueue',
      why: 'stuck',
      actions: [],
    });
  });

  it('stores the status when a running environment loses readiness', () => {
    const observed = readyObserved(1, { readyReplicas: 0 });
    observed.pods[0]!.conditions[1] = { type: 'Ready', status: 'False', message: 'probe failed' };
    const repair = reconcileDecision(settledRunning(), observed, at(30), options);
    expect(repair?.type).toBe('writeStatus');
    if (repair?.type !== 'writeStatus') return;
    expect(repair.status.phase).toBe('Running');
    expect(repair.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
    });
  });

  it('wakes the provisioner when a start finished with nobody looking', () => {
    const env = anEnvironment({ updatedAt: at(0).toISOString() });
    const starting = plan(env, { ...readyObserved(), pods: [] }, at(0), options.planOptions).status;
    expect(starting.phase).toBe('Starting');
    const stored = { ...env, status: starting };
    expect(reconcileDecision(stored, readyObserved(), at(10), options)).toEqual({
      type: 'enqueue',
      why: 'phase',
      actions: [],
    });
  });
});

describe('reconcileDecision on deleted environments', () => {
  it('wakes the provisioner once a data deletion is due, and not before', () => {
    const deleted = anEnvironment({
      desiredState: 'deleted',
      generation: 3,
      updatedAt: at(0).toISOString(),
      dataDeletion: { requestedAt: at(0).toISOString(), purgeAfter: at(60).toISOString() },
    });
    const volumeOnly = {
      ...readyObserved(),
      deployment: undefined,
      service: false,
      networkPolicy: false,
      pods: [],
    };
    deleted.status = plan(deleted, volumeOnly, at(1)).status;
    expect(deleted.status.phase).toBe('Deleted');
    expect(reconcileDecision(deleted, volumeOnly, at(30), options)).toBeUndefined();
    expect(reconcileDecision(deleted, volumeOnly, at(61), options)).toEqual({
      type: 'enqueue',
      why: 'drift',
      actions: ['deleteVolume'],
    });
  });
});

describe('sameStatus', () => {
  it('ignores undefined fields and the fields heartbeats and the reaper own', () => {
    const a = settledRunning().status;
    expect(
      sameStatus(a, {
        ...a,
        lastActivityAt: undefined,
        cullAt: at(99).toISOString(),
        failure: undefined,
      }),
    ).toBe(true);
    expect(sameStatus(a, { ...a, phase: 'Stopped' })).toBe(false);
  });
});

describe('recount', () => {
  it('counts desired running and not deleted, per owner and in total', () => {
    const other = 'f'.repeat(32);
    const envs = [
      { ownerId: USER, desiredState: 'running' as const },
      { ownerId: USER, desiredState: 'stopped' as const },
      { ownerId: USER, desiredState: 'deleted' as const },
      { ownerId: other, desiredState: 'running' as const },
    ];
    const r = recount(envs);
    expect(r.byOwner.get(USER)).toEqual({ running: 1, total: 2 });
    expect(r.byOwner.get(other)).toEqual({ running: 1, total: 1 });
    expect(r.globalRunning).toBe(2);
  });
});

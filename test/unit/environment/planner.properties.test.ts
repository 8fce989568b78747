// Safety properties of the planner over any observation, any history and any
// time: the volume is only ever deleted for a due data deletion, every status
// it writes is valid, and it never starts compute it was not asked for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Environment, Status } from '../../../core/environment/model.js';
import type { Observed, ObservedPod } from '../../../core/environment/observed.js';
import { plan } from '../../../core/environment/planner.js';
import { anEnvironment, ENV_ID } from './fixtures.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const times = fc.integer({ min: -3600, max: 30 * 86400 }).map((s) => new Date(T0 + s * 1000));
const iso = times.map((d) => d.toISOString());

const waitingReasons = fc.constantFrom(
  'ContainerCreating',
  'ErrImagePull',
  'ImagePullBackOff',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'InvalidImageName',
  'PodInitializing',
);

const pods: fc.Arbitrary<ObservedPod> = fc.record({
  name: fc.constantFrom(`${ENV_ID}-a-1`, `${ENV_ID}-a-2`),
  phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', undefined),
  deleting: fc.boolean(),
  nodeName: fc.option(fc.constant('node-1'), { nil: undefined }),
  createdAt: fc.option(iso, { nil: undefined }),
  conditions: fc.array(
    fc.record({
      type: fc.constantFrom('PodScheduled', 'Ready'),
      status: fc.constantFrom('True', 'False'),
      reason: fc.option(fc.constantFrom('Unschedulable'), { nil: undefined }),
      message: fc.option(fc.string(), { nil: undefined }),
    }),
    { maxLength: 2 },
  ),
  containerStatuses: fc.array(
    fc.record({
      name: fc.constant('workspace'),
      ready: fc.boolean(),
      started: fc.option(fc.boolean(), { nil: undefined }),
      restartCount: fc.nat(20),
      state: fc.option(
        fc.oneof(
          fc.record({ waiting: fc.record({ reason: waitingReasons, message: fc.string() }) }),
          fc.record({ running: fc.record({ startedAt: iso }) }),
        ),
        { nil: undefined },
      ),
    }),
    { maxLength: 1 },
  ),
});

const observations: fc.Arbitrary<Observed> = fc.record({
  namespaceScaffold: fc.boolean(),
  volume: fc.option(
    fc.record({ phase: fc.constantFrom('Pending', 'Bound', 'Lost'), deleting: fc.boolean() }),
    { nil: undefined },
  ),
  deployment: fc.option(
    fc.record({
      replicas: fc.constantFrom(0, 1),
      generation: fc.integer({ min: 1, max: 5 }),
      observedGeneration: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      appliedGeneration: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      readyReplicas: fc.constantFrom(0, 1),
      availableReplicas: fc.constantFrom(0, 1),
      conditions: fc.array(
        fc.record({
          type: fc.constantFrom('ReplicaFailure', 'Progressing', 'Available'),
          status: fc.constantFrom('True', 'False'),
          reason: fc.option(fc.constantFrom('FailedCreate', 'ProgressDeadlineExceeded'), {
            nil: undefined,
          }),
          message: fc.option(fc.string(), { nil: undefined }),
        }),
        { maxLength: 2 },
      ),
      deleting: fc.boolean(),
    }),
    { nil: undefined },
  ),
  service: fc.boolean(),
  networkPolicy: fc.boolean(),
  route: fc.option(fc.boolean(), { nil: undefined }),
  pods: fc.array(pods, { maxLength: 2 }),
  events: fc.array(
    fc.record({
      type: fc.constantFrom('Normal', 'Warning'),
      reason: fc.constantFrom(
        'Pulled',
        'Failed',
        'FailedMount',
        'FailedCreate',
        'FailedScheduling',
      ),
      message: fc.oneof(fc.string(), fc.constant('Failed to pull image "x"')),
      involvedObject: fc.record({
        kind: fc.constantFrom('Pod', 'ReplicaSet', 'PersistentVolumeClaim'),
        name: fc.constantFrom(`${ENV_ID}-a-1`, `${ENV_ID}-a`, `${ENV_ID}-workspace`),
      }),
      lastTimestamp: fc.option(iso, { nil: undefined }),
      count: fc.integer({ min: 1, max: 10 }),
    }),
    { maxLength: 4 },
  ),
});

const desired: fc.Arbitrary<Environment> = fc
  .record({
    desiredState: fc.constantFrom('running', 'stopped', 'deleted'),
    generation: fc.integer({ min: 1, max: 5 }),
    dataDeletion: fc.option(fc.record({ requestedAt: iso, purgeAfter: iso }), { nil: undefined }),
  })
  .map((patch) => anEnvironment(patch as Partial<Environment>));

describe('planner properties', () => {
  it('any history, any observation: safe actions and a valid status', () => {
    fc.assert(
      fc.property(
        desired,
        fc.array(fc.tuple(observations, times), { minLength: 1, maxLength: 4 }),
        (env, steps) => {
          let status = env.status;
          for (const [observed, now] of steps) {
            const result = plan({ ...env, status }, observed, now, {
              url: (id) => `https://${id}.x`,
            });
            status = result.status;
            expect(Status.safeParse(status).error).toBeUndefined();
            if (status.phase === 'Failed') expect(status.failure).toBeDefined();
            for (const action of result.actions) {
              if (action.type === 'deleteVolume') {
                expect(env.desiredState).toBe('deleted');
                expect(Date.parse(env.dataDeletion!.purgeAfter)).toBeLessThanOrEqual(now.getTime());
                expect(action.name).toBe(env.spec.volume.name);
              }
              if (action.type === 'applyDeployment' || action.type === 'applyVolume')
                expect(env.desiredState).toBe('running');
              // A route only where a router is managed, only while running, only when missing.
              if (action.type === 'applyRoute') {
                expect(env.desiredState).toBe('running');
                expect(observed.route).toBe(false);
              }
              if (action.type === 'deleteCompute') expect(env.desiredState).toBe('deleted');
            }
            if (result.requeueAfterSeconds !== undefined)
              expect(result.requeueAfterSeconds).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

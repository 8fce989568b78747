// The planner as a table: Prepare (a desired environment, what the cluster
// shows, the time), Act (plan), Assess (actions and status). Scenarios that
// span several observations feed each plan's status into the next, as the
// provisioner does through the store.
import { describe, expect, it } from 'vitest';
import type { Environment, Status } from '../../../core/environment/model.js';
import type {
  Observed,
  ObservedDeployment,
  ObservedEvent,
  ObservedPod,
} from '../../../core/environment/observed.js';
import { nothingObserved, observe } from '../../../core/environment/observed.js';
import { type Action, isPurged, type Plan, plan } from '../../../core/environment/planner.js';
import { anEnvironment, ENV_ID } from './fixtures.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();
const url = (id: string) => `https://${id}.env.example.com`;
const POD = `${ENV_ID}-7d9f8-abcde`;

function deployment(patch: Partial<ObservedDeployment> = {}): ObservedDeployment {
  return {
    replicas: 1,
    generation: 1,
    observedGeneration: 1,
    appliedGeneration: 1,
    readyReplicas: 0,
    availableReplicas: 0,
    conditions: [],
    deleting: false,
    ...patch,
  };
}

type PodState = 'unscheduled' | 'unschedulable' | 'creating' | 'running' | 'ready';

function pod(state: PodState, patch: Partial<ObservedPod> = {}): ObservedPod {
  const scheduled = state !== 'unscheduled' && state !== 'unschedulable';
  const conditions: ObservedPod['conditions'] = [
    state === 'unschedulable'
      ? {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient cpu.',
        }
      : { type: 'PodScheduled', status: scheduled ? 'True' : 'False' },
  ];
  if (scheduled) conditions.push({ type: 'Ready', status: state === 'ready' ? 'True' : 'False' });
  return {
    name: POD,
    phase: state === 'running' || state === 'ready' ? 'Running' : 'Pending',
    deleting: false,
    nodeName: scheduled ? 'node-1' : undefined,
    createdAt: iso(1),
    conditions,
    containerStatuses: scheduled
      ? [
          {
            name: 'workspace',
            ready: state === 'ready',
            started: state === 'running' || state === 'ready',
            restartCount: 0,
            state:
              state === 'creating'
                ? { waiting: { reason: 'ContainerCreating' } }
                : { running: { startedAt: iso(5) } },
          },
        ]
      : [],
    ...patch,
  };
}

function waiting(reason: string, message: string, restartCount = 0): Partial<ObservedPod> {
  return {
    containerStatuses: [
      {
        name: 'workspace',
        ready: false,
        restartCount,
        state: { waiting: { reason, message } },
        ...(restartCount ? { lastState: { terminated: { exitCode: 1, reason: 'Error' } } } : {}),
      },
    ],
  };
}

function event(reason: string, message: string, patch: Partial<ObservedEvent> = {}): ObservedEvent {
  return {
    type: 'Warning',
    reason,
    message,
    involvedObject: { kind: 'Pod', name: POD },
    lastTimestamp: iso(2),
    count: 1,
    ...patch,
  };
}

/** Everything in place for generation 1, plus what is given. */
function cluster(patch: Partial<Observed> = {}): Observed {
  return {
    namespaceScaffold: true,
    volume: { phase: 'Bound', deleting: false },
    deployment: deployment(),
    service: true,
    networkPolicy: true,
    pods: [],
    events: [],
    ...patch,
  };
}

const types = (actions: Action[]) => actions.map((a) => a.type);
const condition = (status: Status, type: string) => status.conditions.find((c) => c.type === type);

/** Plans in sequence, carrying the status forward as the store would. */
function run(env: Environment, steps: Array<[number, Observed]>): Plan[] {
  let status = env.status;
  return steps.map(([seconds, observed]) => {
    const result = plan({ ...env, status }, observed, at(seconds), { url });
    status = result.status;
    return result;
  });
}

const started = (desired: Partial<Environment> = {}) => {
  // An attempt that began at T0 (its first plan saw nothing).
  const env = anEnvironment(desired);
  const first = plan(env, nothingObserved(), at(0), { url });
  return { ...env, status: first.status };
};

describe('plan: running', () => {
  it('creates everything a new environment needs, in order, and says it is queued', () => {
    // Prepare
    const env = anEnvironment();
    // Act
    const { actions, status, requeueAfterSeconds } = plan(env, nothingObserved(), at(0), { url });
    // Assess
    expect(actions).toEqual([
      { type: 'ensureNamespaceScaffold' },
      { type: 'applyVolume' },
      { type: 'applyNetworkPolicy' },
      { type: 'applyService' },
      { type: 'applyDeployment', replicas: 1 },
    ]);
    expect(status.phase).toBe('Pending');
    expect(status.observedGeneration).toBe(0);
    expect(status.progress).toEqual({
      step: 'Queued',
      since: iso(0),
      attemptSince: iso(0),
      generation: 1,
    });
    expect(status.events).toEqual([
      { at: iso(0), type: 'Normal', reason: 'Queued', message: 'Queued' },
    ]);
    expect(requeueAfterSeconds).toBe(5);
  });

  // What the cluster shows → step, phase, and the condition that explains it.
  const table: Array<[string, Observed, string, Status['phase'], [string, string, string]]> = [
    [
      'volume pending, no pod',
      cluster({ volume: { phase: 'Pending', deleting: false } }),
      'Volume',
      'Starting',
      ['VolumeBound', 'False', 'Pending'],
    ],
    ['no pod yet', cluster(), 'Scheduling', 'Starting', ['Scheduled', 'Unknown', 'NoPod']],
    [
      'pod waiting for a node',
      cluster({ pods: [pod('unscheduled')] }),
      'Scheduling',
      'Starting',
      ['Scheduled', 'False', 'Pending'],
    ],
    [
      'pod unschedulable',
      cluster({ pods: [pod('unschedulable')] }),
      'Scheduling',
      'Starting',
      ['Scheduled', 'False', 'Unschedulable'],
    ],
    [
      'image pulling',
      cluster({ pods: [pod('creating')] }),
      'PullingImage',
      'Starting',
      ['ImageReady', 'Unknown', 'Pulling'],
    ],
    [
      'image pulled, container being created',
      cluster({
        pods: [pod('creating')],
        events: [event('Pulled', 'Successfully pulled image', { type: 'Normal' })],
      }),
      'Starting',
      'Starting',
      ['ImageReady', 'True', 'Pulled'],
    ],
    [
      'running, not ready',
      cluster({ pods: [pod('running')] }),
      'Starting',
      'Starting',
      ['Ready', 'False', 'Starting'],
    ],
    [
      'ready',
      cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) }),
      'Ready',
      'Running',
      ['Ready', 'True', 'Ready'],
    ],
    [
      'ready, but its Service was deleted by hand',
      cluster({
        pods: [pod('ready')],
        deployment: deployment({ readyReplicas: 1 }),
        service: false,
      }),
      'Starting',
      'Starting',
      ['Ready', 'True', 'Ready'],
    ],
    [
      'deployment not yet seen by its controller',
      cluster({ deployment: deployment({ generation: 2, observedGeneration: 1 }) }),
      'Queued',
      'Starting',
      ['Ready', 'False', 'Queued'],
    ],
  ];

  it.each(table)('%s → %s, %s', (_what, observed, step, phase, [type, status, reason]) => {
    const env = started();
    const result = plan(env, observed, at(10), { url });
    expect(result.status.progress?.step).toBe(step);
    expect(result.status.phase).toBe(phase);
    expect(condition(result.status, type)).toMatchObject({ status, reason });
  });

  it('runs with a URL once ready, and stays converged without new events', () => {
    const env = started();
    const ready = cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) });
    const [first, second] = run(env, [
      [10, ready],
      [70, ready],
    ]);
    expect(first!.actions).toEqual([]);
    expect(first!.status).toMatchObject({
      phase: 'Running',
      url: `https://${ENV_ID}.env.example.com`,
      startedAt: iso(10),
      observedGeneration: 1,
    });
    expect(first!.requeueAfterSeconds).toBeUndefined();
    expect(second!.status).toEqual(first!.status);
    expect(condition(second!.status, 'Ready')?.lastTransitionTime).toBe(iso(10));
    expect(first!.status.events.map((e) => e.reason)).toEqual(['Queued', 'Ready']);
  });

  it('walks the steps of a start, keeping when each condition last changed', () => {
    const env = started();
    const plans = run(env, [
      [2, cluster({ volume: { phase: 'Pending', deleting: false } })],
      [4, cluster({ pods: [pod('unscheduled')] })],
      [6, cluster({ pods: [pod('creating')] })],
      [8, cluster({ pods: [pod('running')] })],
      [9, cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) })],
    ]);
    const last = plans.at(-1)!.status;
    expect(last.events.map((e) => e.message)).toEqual([
      'Queued',
      'Preparing the volume',
      'Scheduling',
      'Pulling image',
      'Starting',
      'Ready',
    ]);
    expect(condition(last, 'VolumeBound')?.lastTransitionTime).toBe(iso(4));
    expect(condition(last, 'Ready')?.lastTransitionTime).toBe(iso(9));
  });

  it('stays Running when a ready app stops answering its probe for a while (a busy kernel)', () => {
    const env = started();
    const ready = cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) });
    const busy = cluster({ pods: [pod('running')] });
    const plans = run(env, [
      [10, ready],
      [20, busy],
      [20 + 3600, busy],
      [20 + 3700, ready],
    ]);
    for (const p of plans) expect(p.status.phase).toBe('Running');
    expect(condition(plans[2]!.status, 'Ready')).toMatchObject({
      status: 'False',
      lastTransitionTime: iso(20),
    });
    expect(plans[3]!.status.startedAt).toBe(iso(10));
    expect(plans.every((p) => p.actions.length === 0)).toBe(true);
  });

  it('does not fail a started environment whose pod is being replaced, past the start deadlines', () => {
    const env = started();
    const [, , replaced] = run(env, [
      [10, cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) })],
      [1000, cluster({ pods: [pod('unscheduled')] })],
      [1400, cluster({ pods: [pod('unscheduled')] })],
    ]);
    expect(replaced!.status.phase).toBe('Starting');
    expect(replaced!.status.failure).toBeUndefined();
  });

  it('repairs drift: a missing Service is applied again, nothing else', () => {
    const env = started();
    const { actions } = plan(
      env,
      cluster({
        service: false,
        pods: [pod('ready')],
        deployment: deployment({ readyReplicas: 1 }),
      }),
      at(10),
    );
    expect(actions).toEqual([{ type: 'applyService' }]);
  });

  it('applies the route of a managed router, and is not Ready (no URL) until it exists', () => {
    const env = started();
    const ready = { pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) };
    const [missing, there] = run(env, [
      [10, cluster({ ...ready, route: false })],
      [11, cluster({ ...ready, route: true })],
    ]);
    expect(missing!.actions).toEqual([{ type: 'applyRoute' }]);
    expect(missing!.status.phase).toBe('Starting');
    expect(missing!.status.url).toBeUndefined();
    expect(there!.actions).toEqual([]);
    expect(there!.status.phase).toBe('Running');
    // No router managed (route undefined): nothing to apply.
    expect(plan(env, cluster(ready), at(10)).actions).toEqual([]);
  });

  it('applies the deployment again when the generation changed (start after stop, new resources)', () => {
    const env = started({ generation: 3 });
    const { actions, status } = plan(
      env,
      cluster({ deployment: deployment({ replicas: 0, appliedGeneration: 2 }) }),
      at(10),
    );
    expect(actions).toEqual([{ type: 'applyDeployment', replicas: 1 }]);
    expect(status.phase).toBe('Starting');
    expect(status.observedGeneration).toBe(0);
  });

  it('ignores pods on their way out and takes the newest', () => {
    const env = started();
    const old = pod('ready', { name: 'old', deleting: true, createdAt: iso(-100) });
    const { status } = plan(env, cluster({ pods: [old, pod('creating')] }), at(10));
    expect(status.progress?.step).toBe('PullingImage');
  });
});

describe('plan: failing fast', () => {
  const failures: Array<[string, Observed, number, string, RegExp]> = [
    [
      'CrashLoopBackOff',
      cluster({
        pods: [
          pod(
            'running',
            waiting('CrashLoopBackOff', 'back-off 10s restarting failed container', 2),
          ),
        ],
        events: [event('Pulled', 'ok', { type: 'Normal' })],
      }),
      10,
      'CrashLoopBackOff',
      /^The app keeps crashing \(restarted 2 times\); exited with code 1 \(Error\); back-off 10s/,
    ],
    [
      'CreateContainerConfigError (an image that runs as root)',
      cluster({
        pods: [
          pod(
            'creating',
            waiting(
              'CreateContainerConfigError',
              'container has runAsNonRoot and image will run as root',
            ),
          ),
        ],
        events: [event('Pulled', 'ok', { type: 'Normal' })],
      }),
      10,
      'CreateContainerConfigError',
      /^container has runAsNonRoot and image will run as root$/,
    ],
    [
      'ImagePullBackOff after two failed pulls',
      cluster({
        pods: [pod('creating', waiting('ImagePullBackOff', 'Back-off pulling image "x"'))],
        events: [event('Failed', 'Failed to pull image "x": not found', { count: 2 })],
      }),
      10,
      'ImagePullBackOff',
      /^Back-off pulling image "x"$/,
    ],
    [
      'ErrImagePull past its grace',
      cluster({
        pods: [pod('creating', waiting('ErrImagePull', 'failed to resolve reference'))],
        events: [event('Failed', 'Failed to pull image "x": not found')],
      }),
      70,
      'ErrImagePull',
      /^failed to resolve reference$/,
    ],
    [
      'FailedCreate from Pod Security (on the ReplicaSet)',
      cluster({
        events: [
          event(
            'FailedCreate',
            'Error creating: pods "x" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true',
            { involvedObject: { kind: 'ReplicaSet', name: `${ENV_ID}-7d9f8` } },
          ),
        ],
      }),
      10,
      'FailedCreate',
      /violates PodSecurity/,
    ],
    [
      'FailedCreate from quota, past its grace',
      cluster({
        deployment: deployment({
          conditions: [
            {
              type: 'ReplicaFailure',
              status: 'True',
              reason: 'FailedCreate',
              message: 'pods "x" is forbidden: exceeded quota: lablease-quota',
            },
          ],
        }),
      }),
      70,
      'FailedCreate',
      /exceeded quota/,
    ],
    [
      'FailedMount, repeated',
      cluster({
        pods: [pod('creating')],
        events: [
          event('FailedMount', 'MountVolume.SetUp failed for volume "workspace"', { count: 3 }),
        ],
      }),
      10,
      'FailedMount',
      /MountVolume.SetUp failed/,
    ],
    [
      'Unschedulable past the scheduling deadline',
      cluster({ pods: [pod('unschedulable')] }),
      301,
      'Unschedulable',
      /^0\/3 nodes are available: 3 Insufficient cpu\.$/,
    ],
    [
      'a pull slower than its deadline',
      cluster({ pods: [pod('creating')] }),
      601,
      'PullingImageDeadlineExceeded',
      /^Pulling image did not finish within 10 minutes\.$/,
    ],
    [
      'a lost volume',
      cluster({ volume: { phase: 'Lost', deleting: false } }),
      10,
      'VolumeLost',
      /lost its storage/,
    ],
  ];

  it.each(failures)(
    '%s → Failed, compute released',
    (_what, observed, seconds, reason, message) => {
      // Prepare: the attempt started at T0 and has reached the step the cluster shows.
      const env = started();
      const [, result] = run(env, [
        [1, observed],
        [seconds, observed],
      ]);
      // Assess
      expect(result!.status.phase).toBe('Failed');
      expect(result!.status.failure?.reason).toBe(reason);
      expect(result!.status.failure?.message).toMatch(message);
      expect(result!.status.observedGeneration).toBe(1);
      expect(condition(result!.status, 'Ready')).toMatchObject({ status: 'False', reason });
      expect(result!.status.events.at(-1)).toMatchObject({ type: 'Warning', reason });
      expect(result!.actions).toEqual([{ type: 'scaleDeployment', replicas: 0 }]);
    },
  );

  const notYet: Array<[string, Observed, number]> = [
    [
      'one failed pull',
      cluster({
        pods: [pod('creating', waiting('ErrImagePull', 'failed to resolve reference'))],
        events: [event('Failed', 'Failed to pull image "x": not found')],
      }),
      10,
    ],
    ['Unschedulable, inside its deadline', cluster({ pods: [pod('unschedulable')] }), 120],
    [
      'a quota rejection right after a stop (the old pod may still be terminating)',
      cluster({
        events: [
          event('FailedCreate', 'Error creating: exceeded quota: lablease-quota', {
            involvedObject: { kind: 'ReplicaSet', name: `${ENV_ID}-1` },
          }),
        ],
      }),
      30,
    ],
    [
      'a FailedMount that may clear',
      cluster({
        pods: [pod('creating')],
        events: [event('FailedMount', 'MountVolume.SetUp failed', { count: 1 })],
      }),
      10,
    ],
    [
      'a FailedCreate of an earlier attempt',
      cluster({
        events: [
          event('FailedCreate', 'forbidden: violates PodSecurity', {
            involvedObject: { kind: 'ReplicaSet', name: `${ENV_ID}-1` },
            lastTimestamp: iso(-3600),
          }),
        ],
      }),
      10,
    ],
  ];

  it.each(notYet)('%s → still Starting', (_what, observed, seconds) => {
    const env = started();
    const [, result] = run(env, [
      [1, observed],
      [seconds, observed],
    ]);
    expect(result!.status.phase).toBe('Starting');
    expect(result!.status.failure).toBeUndefined();
  });

  it('gives a slow pull that fails once its grace from the first failure, not from the pull start', () => {
    const env = started();
    const failing = cluster({
      pods: [pod('creating', waiting('ErrImagePull', 'TLS handshake timeout'))],
      events: [event('Failed', 'Failed to pull image "x": TLS handshake timeout')],
    });
    const [, firstFailure, later] = run(env, [
      [1, cluster({ pods: [pod('creating')] })],
      [300, failing],
      [361, failing],
    ]);
    expect(firstFailure!.status.phase).toBe('Starting');
    expect(condition(firstFailure!.status, 'ImageReady')).toMatchObject({
      status: 'False',
      reason: 'ErrImagePull',
      lastTransitionTime: iso(300),
    });
    expect(later!.status.phase).toBe('Failed');
  });

  it('shows Unschedulable while pending, with the scheduler message, once', () => {
    const env = started();
    const observed = cluster({ pods: [pod('unschedulable')] });
    const [, second] = run(env, [
      [1, observed],
      [30, observed],
    ]);
    const warnings = second!.status.events.filter((e) => e.type === 'Warning');
    expect(warnings).toEqual([
      {
        at: iso(1),
        type: 'Warning',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
      },
    ]);
    expect(condition(second!.status, 'Scheduled')?.message).toBe(
      '0/3 nodes are available: 3 Insufficient cpu.',
    );
  });

  it('does not retry a failed generation, only releases its compute', () => {
    const env = started();
    const crashing = cluster({
      pods: [pod('running', waiting('CrashLoopBackOff', 'back-off', 1))],
    });
    const [failed, again, released] = run(env, [
      [5, crashing],
      [10, cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) })],
      [20, cluster({ deployment: deployment({ replicas: 0 }) })],
    ]);
    expect(failed!.status.phase).toBe('Failed');
    expect(again!.status).toEqual(failed!.status);
    expect(again!.actions).toEqual([{ type: 'scaleDeployment', replicas: 0 }]);
    expect(released!.actions).toEqual([]);
    expect(released!.status).toEqual(failed!.status);
  });

  it('starts a new attempt when the generation changes, forgetting the failure', () => {
    const env = started();
    const [failed] = run(env, [
      [5, cluster({ pods: [pod('running', waiting('CrashLoopBackOff', 'back-off', 1))] })],
    ]);
    const retry = { ...env, generation: 2, status: failed!.status };
    const result = plan(retry, cluster({ deployment: deployment({ replicas: 0 }) }), at(60));
    expect(result.actions).toEqual([{ type: 'applyDeployment', replicas: 1 }]);
    expect(result.status.phase).toBe('Starting');
    expect(result.status.failure).toBeUndefined();
    expect(result.status.progress).toMatchObject({ attemptSince: iso(60), generation: 2 });
  });
});

describe('plan: stopped', () => {
  it('is not Stopped before the deployment controller has seen the scale-down', () => {
    const env = started({ desiredState: 'stopped', generation: 2 });
    const [lagging, caughtUp] = run(env, [
      // Replicas 0 applied (generation 2), but the controller still acts on generation 1: no pod yet, one may come.
      [
        5,
        cluster({ deployment: deployment({ replicas: 0, generation: 2, observedGeneration: 1 }) }),
      ],
      [
        6,
        cluster({ deployment: deployment({ replicas: 0, generation: 2, observedGeneration: 2 }) }),
      ],
    ]);
    expect(lagging!.status.phase).toBe('Stopping');
    expect(lagging!.requeueAfterSeconds).toBeDefined();
    expect(caughtUp!.status.phase).toBe('Stopped');
  });

  it('cancels a start: scale to 0, Stopping until the pod is gone, then Stopped', () => {
    const env = started({ desiredState: 'stopped', generation: 2 });
    const [scale, draining, stopped] = run(env, [
      [5, cluster({ pods: [pod('creating')] })],
      [
        6,
        cluster({
          deployment: deployment({ replicas: 0 }),
          pods: [pod('creating', { deleting: true })],
        }),
      ],
      [9, cluster({ deployment: deployment({ replicas: 0 }) })],
    ]);
    expect(scale!.actions).toEqual([{ type: 'scaleDeployment', replicas: 0 }]);
    expect(scale!.status.phase).toBe('Stopping');
    expect(draining!.actions).toEqual([]);
    expect(draining!.status.phase).toBe('Stopping');
    expect(stopped!.actions).toEqual([]);
    expect(stopped!.status).toMatchObject({ phase: 'Stopped', observedGeneration: 2 });
    expect(stopped!.status.progress).toBeUndefined();
    expect(stopped!.status.url).toBeUndefined();
    expect(types(stopped!.actions)).not.toContain('deleteVolume');
    expect(stopped!.status.conditions.map((c) => [c.type, c.reason]).sort()).toEqual([
      ['Ready', 'Stopped'],
      ['VolumeBound', 'Bound'],
    ]);
    expect(stopped!.requeueAfterSeconds).toBeUndefined();
  });

  it('keeps the route while stopped (the router shows the stopped page), and does not recreate one', () => {
    const env = started({ desiredState: 'stopped', generation: 2 });
    const withRoute = plan(
      env,
      cluster({
        deployment: deployment({ replicas: 0, generation: 2, observedGeneration: 2 }),
        route: true,
      }),
      at(5),
    );
    expect(withRoute.actions).toEqual([]);
    expect(withRoute.status.phase).toBe('Stopped');
    const without = plan(
      env,
      cluster({
        deployment: deployment({ replicas: 0, generation: 2, observedGeneration: 2 }),
        route: false,
      }),
      at(5),
    );
    expect(without.actions).toEqual([]);
  });

  it('creates nothing for an environment stopped before it was ever provisioned', () => {
    const env = anEnvironment({ desiredState: 'stopped', generation: 2 });
    const result = plan(env, nothingObserved(), at(0));
    expect(result.actions).toEqual([]);
    expect(result.status.phase).toBe('Stopped');
  });

  it('keeps the start time and last activity, for the record', () => {
    const env = anEnvironment({ desiredState: 'stopped', generation: 2 });
    env.status = {
      ...env.status,
      phase: 'Running',
      startedAt: iso(-60),
      lastActivityAt: iso(-5),
      cullAt: iso(600),
    };
    const result = plan(env, cluster({ deployment: deployment({ replicas: 0 }) }), at(0));
    expect(result.status).toMatchObject({ startedAt: iso(-60), lastActivityAt: iso(-5) });
    expect(result.status.cullAt).toBeUndefined();
  });
});

describe('plan: deleted', () => {
  const deletedEnv = (dataDeletion?: Environment['dataDeletion']) =>
    anEnvironment({ desiredState: 'deleted', generation: 3, dataDeletion });

  it('removes compute and keeps the volume', () => {
    const [deleting, deleted] = run(deletedEnv(), [
      [0, cluster({ pods: [pod('ready')] })],
      [
        5,
        {
          ...nothingObserved(),
          namespaceScaffold: true,
          volume: { phase: 'Bound', deleting: false },
        },
      ],
    ]);
    expect(deleting!.actions).toEqual([{ type: 'deleteCompute' }]);
    expect(deleting!.status.phase).toBe('Deleting');
    expect(deleted!.actions).toEqual([]);
    expect(deleted!.status).toMatchObject({ phase: 'Deleted', observedGeneration: 3 });
    expect(condition(deleted!.status, 'VolumeBound')?.reason).toBe('Bound');
  });

  it('removes a route left behind, and is Deleted only once it is gone', () => {
    const volumeOnly = {
      ...nothingObserved(),
      namespaceScaffold: true,
      volume: { phase: 'Bound', deleting: false },
    };
    const [routeLeft, gone] = run(deletedEnv(), [
      [0, { ...volumeOnly, route: true }],
      [5, { ...volumeOnly, route: false }],
    ]);
    expect(routeLeft!.actions).toEqual([{ type: 'deleteCompute' }]);
    expect(routeLeft!.status.phase).toBe('Deleting');
    expect(gone!.actions).toEqual([]);
    expect(gone!.status.phase).toBe('Deleted');
  });

  it('waits for the purge time of a data deletion, then deletes the stored volume name', () => {
    const volumeOnly = {
      ...nothingObserved(),
      namespaceScaffold: true,
      volume: { phase: 'Bound', deleting: false },
    };
    const env = deletedEnv({ requestedAt: iso(0), purgeAfter: iso(7 * 86400) });
    env.spec.volume.name = 'name-from-an-older-rule';
    const waiting = plan(env, volumeOnly, at(3600));
    expect(waiting.actions).toEqual([]);
    expect(waiting.requeueAfterSeconds).toBe(7 * 86400 - 3600);
    const due = plan(env, volumeOnly, at(7 * 86400));
    expect(due.actions).toEqual([{ type: 'deleteVolume', name: 'name-from-an-older-rule' }]);
    const gone = plan({ ...env, status: due.status }, nothingObserved(), at(7 * 86400 + 5));
    expect(gone.actions).toEqual([]);
    expect(isPurged(gone.status)).toBe(true);
    expect(isPurged(waiting.status)).toBe(false);
  });

  it('never plans deleteVolume for stop, failure or delete without a due data deletion', () => {
    for (const desiredState of ['running', 'stopped', 'deleted'] as const) {
      const env = anEnvironment({ desiredState, generation: 2 });
      for (const observed of [
        cluster(),
        cluster({ pods: [pod('running', waiting('CrashLoopBackOff', 'x', 3))] }),
      ])
        expect(types(plan(env, observed, at(1e6)).actions)).not.toContain('deleteVolume');
    }
  });
});

describe('plan: level-based', () => {
  it('planning twice on the same observation changes nothing more', () => {
    const observations = [
      nothingObserved(),
      cluster({ pods: [pod('creating')] }),
      cluster({ pods: [pod('unschedulable')] }),
      cluster({ pods: [pod('ready')], deployment: deployment({ readyReplicas: 1 }) }),
    ];
    for (const observed of observations) {
      const env = started();
      const once = plan(env, observed, at(10));
      const twice = plan({ ...env, status: once.status }, observed, at(10));
      expect(twice.status).toEqual(once.status);
      expect(twice.actions).toEqual(once.actions);
    }
  });
});

describe('observe', () => {
  it('reduces client-node objects (Date timestamps) to the planner view', () => {
    const observed = observe({
      namespace: { metadata: { annotations: { 'lablease.dev/scaffold': '1' } } },
      volume: { metadata: {}, status: { phase: 'Bound' } },
      deployment: {
        metadata: { generation: 4, annotations: { 'lablease.dev/generation': '7' } },
        spec: { replicas: 1 },
        status: { observedGeneration: 4, readyReplicas: 1 },
      },
      service: {},
      pods: [
        {
          metadata: { name: POD, creationTimestamp: new Date(iso(1)), deletionTimestamp: null },
          spec: { nodeName: 'node-1' },
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True' }],
            containerStatuses: [
              {
                name: 'workspace',
                ready: true,
                restartCount: 0,
                state: { running: { startedAt: new Date(iso(2)) } },
              },
            ],
          },
        },
      ],
      events: [
        {
          type: 'Warning',
          reason: 'FailedMount',
          message: 'm',
          involvedObject: { kind: 'Pod', name: POD },
          firstTimestamp: new Date(iso(0)),
          lastTimestamp: null,
          count: 2,
        },
      ],
    });
    expect(observed.deployment).toMatchObject({
      appliedGeneration: 7,
      generation: 4,
      readyReplicas: 1,
    });
    expect(observed.networkPolicy).toBe(false);
    expect(observed.namespaceScaffold).toBe(true);
    expect(observed.pods[0]).toMatchObject({ deleting: false, createdAt: iso(1) });
    expect(observed.pods[0]!.containerStatuses[0]!.state?.running?.startedAt).toBe(iso(2));
    expect(observed.events[0]).toMatchObject({ lastTimestamp: iso(0), count: 2 });
  });
});

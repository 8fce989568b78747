// The one planner the provisioner, the reaper and the reconciler share
// (controller-runtime style): from the desired environment, what the cluster
// has, and the time, it returns the actions that move the cluster one step
// closer, and the status that describes what is seen. Level-based: it looks
// only at state, never at the message that woke it, so running it twice, late
// or out of order is harmless. Status is rebuilt from observation; the
// previous status only carries memory a cluster cannot give back
// (lastTransitionTime, when a step began, a failure already decided).
//
// A start moves through Queued → Volume → Scheduling → PullingImage → Starting
// → Ready, each step with its own deadline; errors that will not fix
// themselves end it at once as Failed with the cluster's own message. A
// Failed start releases its compute and is not retried until the generation
// changes (the user starts again). The volume is only deleted for an explicit
// data deletion whose purge time has passed.
import type {
  Condition,
  Environment,
  Failure,
  ProgressEvent,
  ProgressStep,
  Status,
} from './model.js';
import { MAX_STATUS_EVENTS } from './model.js';
import type { Observed, ObservedContainer, ObservedEvent, ObservedPod } from './observed.js';

export type Action =
  /** Apply the user's namespace, quota, limits, default-deny policy and service account. */
  | { type: 'ensureNamespaceScaffold' }
  /** Apply the workspace PVC named spec.volume.name (create only; never owned). */
  | { type: 'applyVolume' }
  | { type: 'applyNetworkPolicy' }
  | { type: 'applyService' }
  /** Apply the route objects of the configured router (they stay while stopped: see planStopped). */
  | { type: 'applyRoute' }
  /** Apply the Deployment built for this generation, with these replicas. */
  | { type: 'applyDeployment'; replicas: 0 | 1 }
  /** Scale the Deployment to 0 (stop, or a failed start releasing its compute). */
  | { type: 'scaleDeployment'; replicas: 0 }
  /** Delete the Deployment, route objects, Service and NetworkPolicy; 404 means already gone. */
  | { type: 'deleteCompute' }
  /** Delete the workspace PVC: only planned for a data deletion whose purge time passed. */
  | { type: 'deleteVolume'; name: string };

export interface Plan {
  actions: Action[];
  status: Status;
  /** Look again after this long (seconds) if nothing else wakes the environment up. */
  requeueAfterSeconds?: number;
}

/** Seconds each step may take before the start fails, and the fail-fast thresholds. */
export interface Deadlines {
  steps: Record<Exclude<ProgressStep, 'Ready'>, number>;
  /** Pull failures (ErrImagePull / back-off) before an image counts as unpullable. */
  imagePullAttempts: number;
  /** …or this long after the first pull failure. */
  imagePullGraceSeconds: number;
  /** FailedMount events before a mount counts as broken. */
  failedMountLimit: number;
  /** A quota rejection may be a pod of a stopped environment still terminating: wait this long. */
  quotaGraceSeconds: number;
  /** How often to look again while something is moving. */
  pollSeconds: number;
}

export const defaultDeadlines: Deadlines = {
  steps: { Queued: 300, Volume: 300, Scheduling: 300, PullingImage: 600, Starting: 300 },
  imagePullAttempts: 2,
  imagePullGraceSeconds: 60,
  failedMountLimit: 3,
  quotaGraceSeconds: 60,
  pollSeconds: 5,
};

export interface PlanOptions {
  deadlines?: Partial<Omit<Deadlines, 'steps'>> & { steps?: Partial<Deadlines['steps']> };
  /** The environment's URL, shown while it runs. */
  url?: (envId: string) => string;
}

export const stepLabels: Record<ProgressStep, string> = {
  Queued: 'Queued',
  Volume: 'Preparing the volume',
  Scheduling: 'Scheduling',
  PullingImage: 'Pulling image',
  Starting: 'Starting',
  Ready: 'Ready',
};

/** The planner's own condition types; others (e.g. Culled, set by the reaper) are kept as they are. */
export const plannedConditions = ['VolumeBound', 'Scheduled', 'ImageReady', 'Ready'] as const;

type Desired = Pick<
  Environment,
  'id' | 'generation' | 'desiredState' | 'status' | 'dataDeletion' | 'spec'
>;

export function plan(
  desired: Desired,
  observed: Observed,
  now: Date,
  options: PlanOptions = {},
): Plan {
  const deadlines: Deadlines = {
    ...defaultDeadlines,
    ...options.deadlines,
    steps: { ...defaultDeadlines.steps, ...options.deadlines?.steps },
  };
  const ctx: Ctx = { desired, observed, now, at: now.toISOString(), deadlines, options };
  switch (desired.desiredState) {
    case 'running':
      return planRunning(ctx);
    case 'stopped':
      return planStopped(ctx);
    case 'deleted':
      return planDeleted(ctx);
  }
}

interface Ctx {
  desired: Desired;
  observed: Observed;
  now: Date;
  at: string;
  deadlines: Deadlines;
  options: PlanOptions;
}

// ---- running ----

function planRunning(ctx: Ctx): Plan {
  const { desired, observed } = ctx;
  const prev = desired.status;
  const deployment = observed.deployment;
  const releaseCompute: Action[] =
    deployment && deployment.replicas > 0 && !deployment.deleting
      ? [{ type: 'scaleDeployment', replicas: 0 }]
      : [];

  // A failure already decided for this generation stays until the user starts again.
  if (prev.phase === 'Failed' && prev.observedGeneration === desired.generation)
    return { actions: releaseCompute, status: prev };

  const actions: Action[] = [];
  if (!observed.namespaceScaffold) actions.push({ type: 'ensureNamespaceScaffold' });
  if (!observed.volume) actions.push({ type: 'applyVolume' });
  if (!observed.networkPolicy) actions.push({ type: 'applyNetworkPolicy' });
  if (!observed.service) actions.push({ type: 'applyService' });
  if (observed.route === false) actions.push({ type: 'applyRoute' });
  const applied =
    deployment !== undefined &&
    !deployment.deleting &&
    deployment.appliedGeneration === desired.generation &&
    deployment.replicas === 1;
  if (!applied) actions.push({ type: 'applyDeployment', replicas: 1 });
  // The deployment controller has seen what we applied: pods now belong to this generation.
  const reflected = applied && (deployment.observedGeneration ?? 0) >= deployment.generation;

  const newAttempt = prev.progress?.generation !== desired.generation;
  const attemptSince = newAttempt ? ctx.at : prev.progress!.attemptSince;
  const view = reflected ? look(ctx, attemptSince) : undefined;
  // Ready means reachable: a Service or policy being repaired holds it at Starting.
  const step: ProgressStep =
    view?.step === 'Ready' && actions.length ? 'Starting' : (view?.step ?? 'Queued');
  const stepSince = !newAttempt && prev.progress?.step === step ? prev.progress.since : ctx.at;
  const elapsed = (ctx.now.getTime() - Date.parse(stepSince)) / 1000;

  let conditions = prev.conditions;
  for (const c of view?.conditions ?? queuedConditions(observed))
    conditions = setCondition(conditions, c, ctx.at);

  // Once this attempt has been Ready, losing readiness (a busy kernel, a node
  // replaced) is not a failed start: step deadlines stop applying, only
  // errors that will not fix themselves end it.
  const wasReady = prev.startedAt !== undefined && prev.startedAt >= attemptSince;
  const failure =
    view?.failure?.(elapsed) ??
    (step !== 'Ready' && !wasReady && elapsed >= ctx.deadlines.steps[step]
      ? stepTimeout(step, ctx.deadlines.steps[step], view?.lastWarning)
      : undefined);

  const observedGeneration = reflected ? desired.generation : prev.observedGeneration;
  const progress = { step, since: stepSince, attemptSince, generation: desired.generation };
  if (failure) {
    conditions = setCondition(
      conditions,
      { type: 'Ready', status: 'False', reason: failure.reason, message: failure.message },
      ctx.at,
    );
    return {
      actions: releaseCompute,
      status: {
        ...base(prev),
        phase: 'Failed',
        conditions,
        observedGeneration: desired.generation,
        events: pushEvent(prev.events, {
          at: ctx.at,
          type: 'Warning',
          reason: failure.reason,
          message: failure.message,
        }),
        failure,
        progress,
      },
    };
  }

  // Running but not ready (its probe fails for now): still Running, with Ready=False saying why.
  if (step === 'Ready' || (wasReady && step === 'Starting')) {
    const startedAt = wasReady ? prev.startedAt! : ctx.at;
    return {
      actions,
      status: {
        ...base(prev),
        phase: 'Running',
        conditions,
        observedGeneration,
        url: ctx.options.url?.(desired.id),
        events: stepEvent(prev, newAttempt, step, ctx.at),
        startedAt,
        cullAt: prev.phase === 'Running' ? prev.cullAt : undefined,
        progress,
      },
    };
  }

  const phase = step === 'Queued' && !deployment ? 'Pending' : 'Starting';
  const remaining = wasReady ? ctx.deadlines.pollSeconds : ctx.deadlines.steps[step] - elapsed;
  let events = stepEvent(prev, newAttempt, step, ctx.at);
  if (view?.warning) events = pushEvent(events, { at: ctx.at, type: 'Warning', ...view.warning });
  return {
    actions,
    status: {
      ...base(prev),
      phase,
      conditions,
      observedGeneration,
      events,
      progress,
    },
    requeueAfterSeconds: Math.max(1, Math.ceil(Math.min(ctx.deadlines.pollSeconds, remaining))),
  };
}

/** What the pods and events say about the current attempt. */
interface View {
  step: ProgressStep;
  conditions: Omit<Condition, 'lastTransitionTime'>[];
  /** A failure that ends the attempt, given how long the current step has lasted. */
  failure?: (elapsedSeconds: number) => Failure | undefined;
  /** A condition worth showing while it lasts (e.g. Unschedulable). */
  warning?: { reason: string; message: string };
  lastWarning?: string;
}

const PULL_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff']);
const CONFIG_ERRORS = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'InvalidImageName',
]);

function look(ctx: Ctx, attemptSince: string): View {
  const { observed } = ctx;
  // Events of earlier attempts say nothing about this one (event times have second precision).
  const since = Math.floor(Date.parse(attemptSince) / 1000) * 1000;
  const events = observed.events.filter(
    (e) => e.lastTimestamp === undefined || Date.parse(e.lastTimestamp) >= since,
  );
  const pod = currentPod(observed.pods);
  const podEvents = pod
    ? events.filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === pod.name)
    : [];
  const warnings = events.filter((e) => e.type === 'Warning');
  const lastWarning = latest(warnings)?.message;

  const volumeBound = observed.volume?.phase === 'Bound';
  const volume: Omit<Condition, 'lastTransitionTime'> = volumeBound
    ? { type: 'VolumeBound', status: 'True', reason: 'Bound', message: '' }
    : {
        type: 'VolumeBound',
        status: 'False',
        reason: observed.volume?.phase ?? 'Missing',
        message:
          latest(events.filter((e) => e.involvedObject.kind === 'PersistentVolumeClaim'))
            ?.message ?? 'Waiting for the workspace volume.',
      };

  const failures: Array<(elapsed: number) => Failure | undefined> = [];
  if (observed.volume?.phase === 'Lost')
    failures.push(() => ({
      reason: 'VolumeLost',
      message: 'The workspace volume lost its storage; ask an administrator.',
    }));

  // The ReplicaSet could not create the pod: admission said no (Pod Security, quota).
  const failedCreate =
    observed.deployment?.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')
      ?.message ??
    latest(
      events.filter((e) => e.involvedObject.kind === 'ReplicaSet' && e.reason === 'FailedCreate'),
    )?.message;
  if (failedCreate !== undefined) {
    const quota = /exceeded quota/i.test(failedCreate);
    failures.push((elapsed) =>
      !quota || elapsed >= ctx.deadlines.quotaGraceSeconds
        ? { reason: 'FailedCreate', message: failedCreate }
        : undefined,
    );
  }
  const stalled = observed.deployment?.conditions.find(
    (c) =>
      c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (stalled)
    failures.push(() => ({
      reason: 'ProgressDeadlineExceeded',
      message: stalled.message ?? 'The deployment did not progress in time.',
    }));

  const failure = (elapsed: number) => {
    for (const f of failures) {
      const r = f(elapsed);
      if (r) return r;
    }
    return undefined;
  };

  if (!pod) {
    return {
      step: volumeBound ? 'Scheduling' : 'Volume',
      conditions: [
        volume,
        { type: 'Scheduled', status: 'Unknown', reason: 'NoPod', message: 'Waiting for the pod.' },
        notReady('NoPod', 'Waiting for the pod.'),
      ],
      failure,
      lastWarning,
    };
  }

  const scheduledCondition = pod.conditions.find((c) => c.type === 'PodScheduled');
  const scheduled = scheduledCondition?.status === 'True' || pod.nodeName !== undefined;
  if (!scheduled) {
    const unschedulable =
      scheduledCondition?.reason === 'Unschedulable' ? scheduledCondition : undefined;
    const message =
      unschedulable?.message ??
      latest(podEvents.filter((e) => e.reason === 'FailedScheduling'))?.message;
    return {
      step: volumeBound || unschedulable ? 'Scheduling' : 'Volume',
      conditions: [
        volume,
        {
          type: 'Scheduled',
          status: 'False',
          reason: unschedulable ? 'Unschedulable' : 'Pending',
          message: message ?? 'Waiting for a node.',
        },
        notReady('Scheduling', 'Waiting for a node.'),
      ],
      failure: (elapsed) =>
        failure(elapsed) ??
        (unschedulable && elapsed >= ctx.deadlines.steps.Scheduling
          ? { reason: 'Unschedulable', message: unschedulable.message ?? 'No node can run it.' }
          : undefined),
      warning: unschedulable
        ? { reason: 'Unschedulable', message: unschedulable.message ?? 'No node can run it.' }
        : undefined,
      lastWarning: message ?? lastWarning,
    };
  }

  const scheduledOn: Omit<Condition, 'lastTransitionTime'> = {
    type: 'Scheduled',
    status: 'True',
    reason: 'Scheduled',
    message: pod.nodeName ? `Scheduled on ${pod.nodeName}.` : 'Scheduled.',
  };
  const container = pod.containerStatuses[0];
  const waiting = container?.state?.waiting;
  const pulled =
    container?.started === true ||
    container?.state?.running !== undefined ||
    container?.state?.terminated !== undefined ||
    container?.lastState?.terminated !== undefined ||
    podEvents.some((e) => e.reason === 'Pulled');

  // FailedMount repeats while the kubelet retries: a few in a row will not fix themselves.
  const mountFailures = podEvents.filter(
    (e) => e.reason === 'FailedMount' || e.reason === 'FailedAttachVolume',
  );
  if (sum(mountFailures) >= ctx.deadlines.failedMountLimit) {
    const message = latest(mountFailures)!.message;
    failures.push(() => ({ reason: 'FailedMount', message }));
  }

  if (waiting?.reason && CONFIG_ERRORS.has(waiting.reason)) {
    const f = { reason: waiting.reason, message: waiting.message ?? waiting.reason };
    failures.push(() => f);
  }
  if (waiting?.reason === 'CrashLoopBackOff') {
    const f = { reason: 'CrashLoopBackOff', message: crashMessage(container!) };
    failures.push(() => f);
  }

  if (!pulled) {
    const pullFailing = waiting?.reason !== undefined && PULL_WAITING.has(waiting.reason);
    const attempts = Math.max(
      pullFailing ? 1 : 0,
      sum(
        podEvents.filter((e) => e.reason === 'Failed' && /^Failed to pull image/.test(e.message)),
      ),
    );
    // ImageReady is Unknown while pulling and False once a pull failed, so its
    // lastTransitionTime says when this attempt's pulls started failing.
    const previous = ctx.desired.status.conditions.find((c) => c.type === 'ImageReady');
    const failingSince =
      previous?.status === 'False' && previous.lastTransitionTime >= attemptSince
        ? Date.parse(previous.lastTransitionTime)
        : ctx.now.getTime();
    const failingFor = (ctx.now.getTime() - failingSince) / 1000;
    return {
      step: 'PullingImage',
      conditions: [
        volume,
        scheduledOn,
        pullFailing
          ? {
              type: 'ImageReady',
              status: 'False',
              reason: waiting!.reason!,
              message: waiting!.message ?? 'The image cannot be pulled.',
            }
          : {
              type: 'ImageReady',
              status: 'Unknown',
              reason: 'Pulling',
              message: 'Pulling the image.',
            },
        notReady('PullingImage', 'Pulling the image.'),
      ],
      failure: (elapsed) =>
        failure(elapsed) ??
        (pullFailing &&
        (attempts >= ctx.deadlines.imagePullAttempts ||
          failingFor >= ctx.deadlines.imagePullGraceSeconds)
          ? { reason: waiting!.reason!, message: waiting!.message ?? 'The image cannot be pulled.' }
          : undefined),
      lastWarning,
    };
  }

  const imageReady: Omit<Condition, 'lastTransitionTime'> = {
    type: 'ImageReady',
    status: 'True',
    reason: 'Pulled',
    message: '',
  };
  const ready =
    pod.conditions.some((c) => c.type === 'Ready' && c.status === 'True') &&
    (observed.deployment?.readyReplicas ?? 0) >= 1;
  if (ready)
    return {
      step: 'Ready',
      conditions: [
        volume,
        scheduledOn,
        imageReady,
        { type: 'Ready', status: 'True', reason: 'Ready', message: '' },
      ],
      failure,
      lastWarning,
    };
  const readyCondition = pod.conditions.find((c) => c.type === 'Ready');
  return {
    step: 'Starting',
    conditions: [
      volume,
      scheduledOn,
      imageReady,
      notReady(
        waiting?.reason ?? 'Starting',
        waiting?.message ?? readyCondition?.message ?? 'Waiting for the app to answer.',
      ),
    ],
    failure,
    lastWarning: latest(podEvents.filter((e) => e.type === 'Warning'))?.message ?? lastWarning,
  };
}

function queuedConditions(observed: Observed): Omit<Condition, 'lastTransitionTime'>[] {
  return [
    observed.volume?.phase === 'Bound'
      ? { type: 'VolumeBound', status: 'True', reason: 'Bound', message: '' }
      : {
          type: 'VolumeBound',
          status: 'False',
          reason: observed.volume ? observed.volume.phase : 'Missing',
          message: 'Waiting for the workspace volume.',
        },
    notReady('Queued', 'Waiting to be provisioned.'),
  ];
}

const notReady = (reason: string, message: string): Omit<Condition, 'lastTransitionTime'> => ({
  type: 'Ready',
  status: 'False',
  reason,
  message,
});

/** The pod of the current attempt: the newest one not on its way out. */
function currentPod(pods: ObservedPod[]): ObservedPod | undefined {
  return pods
    .filter((p) => !p.deleting && p.phase !== 'Succeeded' && p.phase !== 'Failed')
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
}

function crashMessage(c: ObservedContainer): string {
  const last = c.lastState?.terminated;
  const exit = last
    ? `exited with code ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}${last.message ? `: ${last.message}` : ''}`
    : undefined;
  return [
    `The app keeps crashing (restarted ${c.restartCount} ${c.restartCount === 1 ? 'time' : 'times'})`,
    exit,
    c.state?.waiting?.message,
  ]
    .filter(Boolean)
    .join('; ');
}

function stepTimeout(
  step: Exclude<ProgressStep, 'Ready'>,
  seconds: number,
  lastWarning: string | undefined,
): Failure {
  const minutes = Math.round(seconds / 60);
  const limit =
    minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${seconds} seconds`;
  return {
    reason: `${step}DeadlineExceeded`,
    message: `${stepLabels[step]} did not finish within ${limit}${lastWarning ? `: ${lastWarning}` : '.'}`,
  };
}

const sum = (events: ObservedEvent[]) => events.reduce((n, e) => n + e.count, 0);
const latest = (events: ObservedEvent[]) =>
  [...events].sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? '')).at(-1);

// ---- stopped ----

// A stopped environment keeps its Service and route objects: the host still
// resolves to a route guarded by forward auth, and with no pod behind the
// Service the router answers its "stopped" page (with a way to start it)
// instead of an unknown-host 404; nothing is reachable without a pod.
function planStopped(ctx: Ctx): Plan {
  const { desired, observed } = ctx;
  const prev = desired.status;
  const deployment = observed.deployment;
  const actions: Action[] =
    deployment && deployment.replicas > 0 && !deployment.deleting
      ? [{ type: 'scaleDeployment', replicas: 0 }]
      : [];
  const podsLeft = observed.pods.some((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed');
  // Until the deployment controller has seen the scale-down, a pod it is about
  // to create (or not yet delete) may still appear: not Stopped yet.
  const caughtUp = !deployment || (deployment.observedGeneration ?? 0) >= deployment.generation;
  const stopped =
    !actions.length && !podsLeft && caughtUp && (deployment?.readyReplicas ?? 0) === 0;
  let conditions = dropPodConditions(prev.conditions);
  conditions = setCondition(
    conditions,
    notReady(stopped ? 'Stopped' : 'Stopping', stopped ? 'Stopped.' : 'Stopping.'),
    ctx.at,
  );
  if (observed.volume) conditions = setCondition(conditions, volumeCondition(observed), ctx.at);
  const phase = stopped ? 'Stopped' : 'Stopping';
  return {
    actions,
    status: windingDownStatus(ctx, phase, conditions, stopped),
    requeueAfterSeconds: stopped ? undefined : ctx.deadlines.pollSeconds,
  };
}

// ---- deleted ----

function planDeleted(ctx: Ctx): Plan {
  const { desired, observed, now } = ctx;
  const prev = desired.status;
  const actions: Action[] = [];
  const compute =
    (observed.deployment && !observed.deployment.deleting) ||
    observed.service ||
    observed.networkPolicy ||
    observed.route;
  if (compute) actions.push({ type: 'deleteCompute' });
  const purgeAfter = desired.dataDeletion ? Date.parse(desired.dataDeletion.purgeAfter) : undefined;
  const purgeDue = purgeAfter !== undefined && purgeAfter <= now.getTime();
  if (purgeDue && observed.volume && !observed.volume.deleting)
    actions.push({ type: 'deleteVolume', name: desired.spec.volume.name });

  const gone = !compute && !observed.deployment && !observed.pods.length;
  const phase = gone ? 'Deleted' : 'Deleting';
  let conditions = setCondition(
    dropPodConditions(prev.conditions),
    notReady('Deleted', gone ? 'Deleted.' : 'Deleting.'),
    ctx.at,
  );
  conditions = setCondition(conditions, deletedVolumeCondition(observed, purgeDue), ctx.at);
  const volumePending = purgeDue && observed.volume !== undefined;
  let requeueAfterSeconds: number | undefined;
  if (!gone || volumePending) requeueAfterSeconds = ctx.deadlines.pollSeconds;
  else if (purgeAfter !== undefined && !purgeDue && observed.volume)
    requeueAfterSeconds = Math.ceil((purgeAfter - now.getTime()) / 1000);
  return {
    actions,
    status: {
      ...windingDownStatus(ctx, phase, conditions, gone),
      url: undefined,
      cullAt: undefined,
    },
    requeueAfterSeconds,
  };
}

/** Stopping/Stopped, Deleting/Deleted: the intent's generation is observed once it has settled. */
function windingDownStatus(
  ctx: Ctx,
  phase: Status['phase'],
  conditions: Status['conditions'],
  settled: boolean,
): Status {
  const prev = ctx.desired.status;
  return {
    ...base(prev),
    phase,
    conditions,
    observedGeneration: settled ? ctx.desired.generation : prev.observedGeneration,
    events: phaseEvent(prev, phase, ctx.at),
  };
}

function deletedVolumeCondition(
  observed: Observed,
  purgeDue: boolean,
): Omit<Condition, 'lastTransitionTime'> {
  const gone = (reason: string, message: string) =>
    ({ type: 'VolumeBound', status: 'False', reason, message }) as const;
  if (!observed.volume)
    return purgeDue
      ? gone('Purged', 'The workspace volume was deleted.')
      : gone('Missing', 'No workspace volume.');
  if (purgeDue) return gone('Purging', 'The workspace volume is being deleted.');
  return volumeCondition(observed);
}

/** The workspace volume is gone for good: its data deletion was due and the PVC no longer exists. */
export const isPurged = (status: Status): boolean =>
  status.conditions.some((c) => c.type === 'VolumeBound' && c.reason === 'Purged');

// ---- status helpers ----

/** What carries over from the previous status into any new one. */
function base(prev: Status): Status {
  return {
    phase: prev.phase,
    conditions: prev.conditions,
    observedGeneration: prev.observedGeneration,
    events: prev.events,
    ...(prev.lastActivityAt ? { lastActivityAt: prev.lastActivityAt } : {}),
    ...(prev.startedAt ? { startedAt: prev.startedAt } : {}),
  };
}

function volumeCondition(observed: Observed): Omit<Condition, 'lastTransitionTime'> {
  return observed.volume?.phase === 'Bound'
    ? { type: 'VolumeBound', status: 'True', reason: 'Bound', message: '' }
    : {
        type: 'VolumeBound',
        status: 'False',
        reason: observed.volume?.phase ?? 'Missing',
        message: 'The workspace volume is not bound.',
      };
}

const dropPodConditions = (conditions: Condition[]) =>
  conditions.filter((c) => c.type !== 'Scheduled' && c.type !== 'ImageReady');

/**
 * Kubernetes semantics: lastTransitionTime moves only when the status changes;
 * reason and message follow the latest observation.
 */
export function setCondition(
  conditions: Condition[],
  next: Omit<Condition, 'lastTransitionTime'>,
  at: string,
): Condition[] {
  const current = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    current && current.status === next.status ? current.lastTransitionTime : at;
  const updated = { ...next, message: next.message.slice(0, 2048), lastTransitionTime };
  return current
    ? conditions.map((c) => (c.type === next.type ? updated : c))
    : [...conditions, updated];
}

/** Appends unless it repeats the latest event; keeps the most recent MAX_STATUS_EVENTS. */
export function pushEvent(events: ProgressEvent[], event: ProgressEvent): ProgressEvent[] {
  const last = events.at(-1);
  if (last && last.reason === event.reason && last.message === event.message) return events;
  const clipped = { ...event, message: event.message.slice(0, 2048) };
  return [...events, clipped].slice(-MAX_STATUS_EVENTS);
}

function stepEvent(prev: Status, newAttempt: boolean, step: ProgressStep, at: string) {
  if (!newAttempt && prev.progress?.step === step && prev.phase !== 'Failed') return prev.events;
  return pushEvent(prev.events, { at, type: 'Normal', reason: step, message: stepLabels[step] });
}

function phaseEvent(prev: Status, phase: Status['phase'], at: string) {
  if (prev.phase === phase) return prev.events;
  return pushEvent(prev.events, { at, type: 'Normal', reason: phase, message: `${phase}.` });
}

import { ANNOTATION_GENERATION, isScaffolded } from './markers.js';

// What the cluster has for one environment, reduced to what the planner
// reads. `observe()` builds it from the objects a Kubernetes client returns
// (client-node's models or plain JSON: timestamps may be Date or string), so
// the I/O layer only lists and gets; it never interprets.

export interface ObservedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ObservedContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: string };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}

export interface ObservedContainer {
  name: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state?: ObservedContainerState;
  lastState?: ObservedContainerState;
}

export interface ObservedPod {
  name: string;
  phase?: string;
  /** Has a deletionTimestamp: on its way out, not the environment's pod any more. */
  deleting: boolean;
  nodeName?: string;
  createdAt?: string;
  conditions: ObservedCondition[];
  containerStatuses: ObservedContainer[];
}

export interface ObservedEvent {
  type: string;
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string };
  /** The latest occurrence (lastTimestamp, else eventTime, else firstTimestamp). */
  lastTimestamp?: string;
  count: number;
}

export interface ObservedDeployment {
  /** spec.replicas */
  replicas: number;
  /** metadata.generation */
  generation: number;
  /** status.observedGeneration: the deployment controller has seen this generation. */
  observedGeneration?: number;
  /** The environment generation it was applied for (manifests.ANNOTATION_GENERATION). */
  appliedGeneration?: number;
  readyReplicas: number;
  availableReplicas: number;
  conditions: ObservedCondition[];
  deleting: boolean;
}

export interface ObservedVolume {
  phase: string;
  deleting: boolean;
}

export interface Observed {
  /** The user's namespace and its scaffold objects all exist (and the namespace is not terminating). */
  namespaceScaffold: boolean;
  volume?: ObservedVolume;
  deployment?: ObservedDeployment;
  service: boolean;
  networkPolicy: boolean;
  /**
   * Every route object the configured router needs exists (an HTTPRoute and
   * its SecurityPolicy, or an Ingress); undefined where no router is managed.
   */
  route?: boolean;
  /** The environment's pods (label lablease.dev/env). */
  pods: ObservedPod[];
  /** Events of the environment's pods, its ReplicaSets, its Deployment and its volume. */
  events: ObservedEvent[];
}

/** Nothing in the cluster: a new environment, or one fully removed. */
export const nothingObserved = (): Observed => ({
  namespaceScaffold: false,
  service: false,
  networkPolicy: false,
  pods: [],
  events: [],
});

// ---- from API objects ----

type Time = Date | string | null | undefined;
const iso = (t: Time): string | undefined =>
  t == null ? undefined : t instanceof Date ? t.toISOString() : t;

interface RawMeta {
  name?: string;
  generation?: number;
  deletionTimestamp?: Time;
  creationTimestamp?: Time;
  annotations?: Record<string, string>;
}
interface RawCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface RawState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Time };
  terminated?: { reason?: string; message?: string; exitCode?: number };
}
export interface RawPod {
  metadata?: RawMeta;
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: RawCondition[];
    containerStatuses?: Array<{
      name: string;
      ready: boolean;
      started?: boolean;
      restartCount: number;
      state?: RawState;
      lastState?: RawState;
    }>;
  };
}
export interface RawDeployment {
  metadata?: RawMeta;
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: RawCondition[];
  };
}
export interface RawEvent {
  type?: string;
  reason?: string;
  message?: string;
  involvedObject: { kind?: string; name?: string };
  lastTimestamp?: Time;
  eventTime?: Time;
  firstTimestamp?: Time;
  count?: number;
}

const state = (s: RawState | undefined): ObservedContainerState | undefined =>
  s && {
    ...(s.waiting ? { waiting: { reason: s.waiting.reason, message: s.waiting.message } } : {}),
    ...(s.running ? { running: { startedAt: iso(s.running.startedAt) } } : {}),
    ...(s.terminated
      ? {
          terminated: {
            reason: s.terminated.reason,
            message: s.terminated.message,
            exitCode: s.terminated.exitCode,
          },
        }
      : {}),
  };

const conditions = (cs: RawCondition[] | undefined): ObservedCondition[] =>
  (cs ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }));

/**
 * The planner's view from what the client read: the user's namespace, the
 * environment's PVC (by its stored name), Deployment, Service and
 * NetworkPolicy (by the environment id), its pods (label lablease.dev/env)
 * and the events whose involvedObject is one of them or their ReplicaSets.
 * Absent objects are undefined.
 */
export function observe(raw: {
  /** The user's Namespace as read; its scaffold marker decides namespaceScaffold. */
  namespace?: { metadata?: { annotations?: Record<string, string>; deletionTimestamp?: unknown } };
  /** Or the answer already computed (markers.isScaffolded). */
  namespaceScaffold?: boolean;
  /** Defaults to markers.ANNOTATION_GENERATION. */
  generationAnnotation?: string;
  volume?: { metadata?: RawMeta; status?: { phase?: string } };
  deployment?: RawDeployment;
  service?: unknown;
  networkPolicy?: unknown;
  /** The route objects the router needs, each as read (absent ones undefined); omitted: no router. */
  routes?: unknown[];
  pods?: RawPod[];
  events?: RawEvent[];
}): Observed {
  const d = raw.deployment;
  const applied = Number(
    d?.metadata?.annotations?.[raw.generationAnnotation ?? ANNOTATION_GENERATION],
  );
  return {
    namespaceScaffold: raw.namespaceScaffold ?? isScaffolded(raw.namespace),
    volume: raw.volume && {
      phase: raw.volume.status?.phase ?? 'Pending',
      deleting: raw.volume.metadata?.deletionTimestamp != null,
    },
    deployment: d && {
      replicas: d.spec?.replicas ?? 1,
      generation: d.metadata?.generation ?? 0,
      observedGeneration: d.status?.observedGeneration,
      appliedGeneration: Number.isSafeInteger(applied) ? applied : undefined,
      readyReplicas: d.status?.readyReplicas ?? 0,
      availableReplicas: d.status?.availableReplicas ?? 0,
      conditions: conditions(d.status?.conditions),
      deleting: d.metadata?.deletionTimestamp != null,
    },
    service: raw.service != null,
    networkPolicy: raw.networkPolicy != null,
    ...(raw.routes ? { route: raw.routes.every((r) => r != null) } : {}),
    pods: (raw.pods ?? []).map((p) => ({
      name: p.metadata?.name ?? '',
      phase: p.status?.phase,
      deleting: p.metadata?.deletionTimestamp != null,
      nodeName: p.spec?.nodeName,
      createdAt: iso(p.metadata?.creationTimestamp),
      conditions: conditions(p.status?.conditions),
      containerStatuses: (p.status?.containerStatuses ?? []).map((c) => ({
        name: c.name,
        ready: c.ready,
        started: c.started,
        restartCount: c.restartCount,
        state: state(c.state),
        lastState: state(c.lastState),
      })),
    })),
    events: (raw.events ?? []).map((e) => ({
      type: e.type ?? 'Normal',
      reason: e.reason ?? '',
      message: e.message ?? '',
      involvedObject: { kind: e.involvedObject.kind ?? '', name: e.involvedObject.name ?? '' },
      lastTimestamp: iso(e.lastTimestamp) ?? iso(e.eventTime) ?? iso(e.firstTimestamp),
      count: e.count ?? 1,
    })),
  };
}

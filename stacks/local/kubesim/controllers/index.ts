// Controllers, scheduler and kubelet kubesim runs on top of its ClusterApi.
// `createSimulation()` returns them together with the handle tests and the
// local stack use to script image behaviours, pause/advance the kubelet,
// resize nodes and find a running pod's local HTTP page.
import type { Controller } from '../types.js';

/** Milliseconds each simulated step takes. */
export interface SimulationDelays {
  /** ServiceAccount controller: namespace created → `default` SA exists. */
  serviceAccount: number;
  /** Scheduler: pod created → bound to a node. */
  schedule: number;
  /** Kubelet: image pull (Pulling → Pulled). */
  pull: number;
  /** Kubelet: container created → started (Running). */
  start: number;
  /** Kubelet: Running → Ready (readiness probe passes). */
  ready: number;
  /** Kubelet: back-off between restarts of a crashing container. */
  crashBackOff: number;
  /** PV binder: PVC created → Bound. */
  bind: number;
}

export type DelayPreset = 'zero' | 'realistic';

/** What a container does when the kubelet starts it (per image or namespace). */
export type ImageBehaviour =
  | 'Run' // pulls, starts, becomes Ready
  | 'ErrImagePull' // ErrImagePull then ImagePullBackOff; pod stays Pending
  | 'CrashLoopBackOff' // starts, exits, restarts with growing restartCount; Running, not Ready
  | 'CreateContainerConfigError' // `container has runAsNonRoot and image will run as root`
  | 'NeverReady'; // Running, readiness never passes

export interface NodeCapacity {
  /** Quantity strings as in Kubernetes: '4', '8Gi', '110'. */
  cpu: string;
  memory: string;
  pods: string;
}

export interface KubeletOptions {
  /** 'zero' (default, for tests), 'realistic' (the demo: a few seconds), or explicit values. */
  delays?: DelayPreset | Partial<SimulationDelays>;
  /** Three nodes by default, each with this capacity. */
  nodeCount?: number;
  nodeCapacity?: Partial<NodeCapacity>;
  /** Storage class used when a PVC names none; 'standard' (Immediate) by default. */
  defaultStorageClass?: string;
  /** Serve a small HTTP page on 127.0.0.1 for each Running pod (behaviour 17). Off by default. */
  servePods?: boolean;
  /** Start with the kubelet paused (tests advance it by hand). */
  paused?: boolean;
}

/** The handle to the simulated scheduler/kubelet, for tests, benchmarks and the local stack. */
export interface Simulation {
  /** Script what containers with this image do (exact image string, or repository without tag). */
  scriptImage(image: string, behaviour: ImageBehaviour): void;
  /** Script what every container in this namespace does (image scripts win). */
  scriptNamespace(namespace: string, behaviour: ImageBehaviour): void;
  clearScripts(): void;
  /** Stop the kubelet's and scheduler's progress; timers due while paused wait for advance/resume. */
  pause(): void;
  resume(): void;
  /** While paused: run the steps due within `ms` of simulated time, then settle. */
  advance(ms: number): Promise<void>;
  /** Resolve once no controller work is due now (queues drained, zero-delay steps done). */
  settle(): Promise<void>;
  /** Capacity of every simulated node (e.g. to make scheduling fail with Insufficient cpu). */
  setNodeCapacity(capacity: Partial<NodeCapacity>): void;
  /** http://127.0.0.1:<port>/ of a Running pod's page when servePods is on. */
  podEndpoint(namespace: string, name: string): string | undefined;
}

export interface SimulationSet {
  controllers: Controller[];
  simulation: Simulation;
}

/** Controllers plus the handle that drives them. Wire `controllers` into the server, expose `simulation`. */
export function createSimulation(_opts: KubeletOptions = {}): SimulationSet {
  const noop = () => {};
  return {
    controllers: [],
    simulation: {
      scriptImage: noop,
      scriptNamespace: noop,
      clearScripts: noop,
      pause: noop,
      resume: noop,
      advance: async () => {},
      settle: async () => {},
      setNodeCapacity: noop,
      podEndpoint: () => undefined,
    },
  };
}

export function defaultControllers(opts?: KubeletOptions): Controller[] {
  return createSimulation(opts).controllers;
}

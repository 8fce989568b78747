// Controllers, scheduler and kubelet kubesim runs on top of its ClusterApi.
// `createSimulation()` returns them together with the handle tests and the
// local stack use to script image behaviours, pause/advance the simulation,
// resize nodes and find a running pod's local HTTP page.
import type { Controller } from '../types.js';
import { DeploymentController } from './deployment.js';
import { GarbageCollector } from './garbage-collector.js';
import { type ImageBehaviour, Kubelet, Scripts } from './kubelet.js';
import { NamespaceController } from './namespace.js';
import { PodPages } from './pod-pages.js';
import { QuotaController } from './quota.js';
import { ReplicaSetController } from './replicaset.js';
import { delayPresets, Runtime, type SimulationDelays } from './runtime.js';
import { type NodeCapacity, Scheduler } from './scheduler.js';
import { ServiceAccountController } from './service-account.js';
import { PvcProtection, VolumeBinder, type VolumeBindingMode } from './storage.js';

export type { ImageBehaviour, NodeCapacity, SimulationDelays, VolumeBindingMode };
export type DelayPreset = 'zero' | 'realistic';

export interface KubeletOptions {
  /** 'zero' (default, for tests), 'realistic' (the demo: a few seconds per step), or explicit values over 'zero'. */
  delays?: DelayPreset | Partial<SimulationDelays>;
  /** Simulated nodes (3 by default), each with this capacity (4 cpu, 16Gi, 110 pods by default). */
  nodeCount?: number;
  nodeCapacity?: Partial<NodeCapacity>;
  /** Binding mode of the default StorageClass `standard`; `wait-for-first-consumer` always waits. */
  defaultVolumeBindingMode?: VolumeBindingMode;
  /** Serve a small HTTP page on 127.0.0.1 for each Ready pod (behaviour 17). Off by default. */
  servePods?: boolean;
  /** Start paused (tests then advance() by hand). */
  paused?: boolean;
}

/** The handle to the simulated cluster components, for tests, benchmarks and the local stack. */
export interface Simulation {
  /** What containers with this image do: exact image, or repository without tag. */
  scriptImage(image: string, behaviour: ImageBehaviour): void;
  /** What every container in this namespace does (image scripts win). */
  scriptNamespace(namespace: string, behaviour: ImageBehaviour): void;
  clearScripts(): void;
  /** Freeze every simulated step (controllers, scheduler, kubelet); steps due meanwhile wait. */
  pause(): void;
  resume(): void;
  /** While paused: run the steps due within `ms` of simulated time (the clock moves too), then settle. */
  advance(ms: number): Promise<void>;
  /** Resolves once no step is running or due now. */
  settle(): Promise<void>;
  /** Capacity of every simulated node (e.g. cpu '100m' to make scheduling fail). */
  setNodeCapacity(capacity: Partial<NodeCapacity>): Promise<void>;
  /** `http://127.0.0.1:<port>/` of a Ready pod's page (servePods on), else undefined. */
  podEndpoint(namespace: string, name: string): string | undefined;
  /** The page of a Ready pod selected by a Service (what a route to the Service reaches). */
  serviceEndpoint(namespace: string, service: string): string | undefined;
}

export interface SimulationSet {
  controllers: Controller[];
  simulation: Simulation;
}

function resolveDelays(d: KubeletOptions['delays']): SimulationDelays {
  if (d === 'realistic') return { ...delayPresets.realistic };
  if (d === 'zero' || d === undefined) return { ...delayPresets.zero };
  return { ...delayPresets.zero, ...d };
}

/** Controllers plus the handle that drives them. Wire `controllers` into the server, expose `simulation`. */
export function createSimulation(opts: KubeletOptions = {}): SimulationSet {
  const rt = new Runtime(resolveDelays(opts.delays), opts.paused ?? false);
  const scripts = new Scripts();
  const pages = new PodPages(opts.servePods ?? false);
  const scheduler = new Scheduler(rt, opts.nodeCount ?? 3, opts.nodeCapacity ?? {});
  const components: Controller[] = [
    new ServiceAccountController(rt),
    new NamespaceController(rt),
    new GarbageCollector(rt),
    new QuotaController(rt),
    new VolumeBinder(rt, { defaultBindingMode: opts.defaultVolumeBindingMode }),
    new PvcProtection(rt),
    new DeploymentController(rt),
    new ReplicaSetController(rt),
    scheduler,
    new Kubelet(rt, scripts, pages),
  ];
  // One controller object per component, all sharing the runtime; the first start attaches the
  // API, and when the last started one stops, every timer and pod page goes with it.
  const running = new Set<Controller>();
  const controllers: Controller[] = components.map((c) => ({
    name: c.name,
    start(api) {
      rt.attach(api);
      running.add(c);
      c.start(api);
    },
    stop() {
      c.stop();
      running.delete(c);
      if (!running.size) {
        rt.stop();
        pages.closeAll();
      }
    },
  }));
  const simulation: Simulation = {
    scriptImage: (image, b) => scripts.setImage(image, b),
    scriptNamespace: (ns, b) => scripts.setNamespace(ns, b),
    clearScripts: () => scripts.clear(),
    pause: () => rt.pause(),
    resume: () => rt.resume(),
    advance: (ms) => rt.advance(ms),
    async settle() {
      await rt.settle();
      await pages.ready();
    },
    setNodeCapacity: async (capacity) => {
      await scheduler.setCapacity(capacity);
      await rt.settle();
    },
    podEndpoint: (ns, name) => pages.endpoint(ns, name),
    serviceEndpoint(ns, service) {
      const api = rt.api;
      const svc = api.get('services', ns, service);
      const selector: Record<string, string> = svc?.spec?.selector ?? {};
      if (!svc || !Object.keys(selector).length) return undefined;
      // Selected by the list, not after it: the list copies every item it
      // returns, and a router asks this for every route at every change (all
      // pods of a busy namespace copied per route made it quadratic).
      const labelSelector = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      for (const pod of api.list('pods', { namespace: ns, labelSelector }).items) {
        const url = pages.endpoint(ns, pod.metadata.name!);
        if (url) return url;
      }
      return undefined;
    },
  };
  return { controllers, simulation };
}

export function defaultControllers(opts?: KubeletOptions): Controller[] {
  return createSimulation(opts).controllers;
}

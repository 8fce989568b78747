// The environment module's public surface, read as a namespace:
//   import * as Environment from '../environment/index.js';
//   Environment.Info.parse(item); Environment.transition(env, 'stop', now, settings);
//   Environment.plan(env, observed, now);
// Everything here is pure: no AWS, no Kubernetes client, no clock of its own.
export { Catalog, seedCatalog } from './catalog.js';
export { ANNOTATION_GENERATION, isScaffolded } from './markers.js';
export {
  Condition,
  DataDeletion,
  DesiredState,
  DisplayName,
  defaultSettings,
  defaultTiers,
  Environment as Info,
  EnvironmentId,
  Failure,
  ImageReference,
  initialStatus,
  MAX_STATUS_EVENTS,
  Phase,
  ProgressEvent,
  ProgressStep,
  Resources,
  Settings,
  Spec,
  Status,
  Template,
  TierLimits,
} from './model.js';
export { namespaceFor, newEnvironmentId, objectNames, volumeNameFor } from './naming.js';
export type {
  Observed,
  ObservedDeployment,
  ObservedEvent,
  ObservedPod,
  ObservedVolume,
} from './observed.js';
export { nothingObserved, observe } from './observed.js';
export type { Action, Deadlines, Plan, PlanOptions } from './planner.js';
export {
  defaultDeadlines,
  isPurged,
  plan,
  pushEvent,
  setCondition,
  stepLabels,
} from './planner.js';
export type { CullDecision, Limit, SpecRequest, Usage } from './policies.js';
export {
  availableTemplates,
  checkCreate,
  checkStart,
  cullDecision,
  isTemplateAvailable,
  LimitReached,
  resolveSpec,
  tierLimits,
  UnknownTier,
} from './policies.js';
export { canonicalCpu, canonicalMemory, parseCpu, parseMemory } from './quantity.js';
export type { Intent, Operation } from './state-machine.js';
export { effectivePhase, TransitionNotAllowed, transition } from './state-machine.js';
export { EnvironmentView as View, toView } from './view.js';

// The environment model of DESIGN.md as zod schemas, each with a type of the
// same name. Everything that reaches Kubernetes is validated here: ids and
// template fields only; a user's display name is data, never a name.
import { z } from 'zod';
import { ENVIRONMENT_ID } from './naming.js';
import { canonicalCpu, canonicalMemory, parseCpu, parseMemory } from './quantity.js';

export const Phase = z.enum([
  'Pending',
  'Starting',
  'Running',
  'Stopping',
  'Stopped',
  'Deleting',
  'Deleted',
  'Failed',
]);
export type Phase = z.infer<typeof Phase>;

export const DesiredState = z.enum(['running', 'stopped', 'deleted']);
export type DesiredState = z.infer<typeof DesiredState>;

const Timestamp = z.iso.datetime({ offset: true });

export const ConditionStatus = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

export const Condition = z.object({
  type: z.string().min(1).max(64),
  status: ConditionStatus,
  reason: z.string().max(128),
  message: z.string().max(2048),
  lastTransitionTime: Timestamp,
});
export type Condition = z.infer<typeof Condition>;

export const ProgressEvent = z.object({
  at: Timestamp,
  type: z.enum(['Normal', 'Warning']),
  reason: z.string().max(128),
  message: z.string().max(2048),
});
export type ProgressEvent = z.infer<typeof ProgressEvent>;

/** How many progress events a status keeps: the most recent ones. */
export const MAX_STATUS_EVENTS = 20;

/** The steps of a start, each with its own deadline (see planner.ts). */
export const ProgressStep = z.enum([
  'Queued',
  'Volume',
  'Scheduling',
  'PullingImage',
  'Starting',
  'Ready',
]);
export type ProgressStep = z.infer<typeof ProgressStep>;

export const Cpu = z
  .string()
  .refine((q) => parseCpu(q) !== undefined && parseCpu(q)! > 0, {
    message: "cpu must be a positive quantity such as '500m' or '2'",
  })
  .transform((q) => canonicalCpu(q)!);
export const Memory = z
  .string()
  .refine((q) => parseMemory(q) !== undefined && parseMemory(q)! > 0, {
    message: "memory must be a positive quantity such as '512Mi' or '2Gi'",
  })
  .transform((q) => canonicalMemory(q)!);

export const Resources = z.object({ cpu: Cpu, memory: Memory });
export type Resources = z.infer<typeof Resources>;

/** Code points that would let a name lie about itself on screen: controls, bidi overrides. */
function hasUnsafeCharacter(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
    if (c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

/** A display name: any script, trimmed, 1–63 characters, no control or bidi-override characters. */
export const DisplayName = z
  .string()
  .trim()
  .refine((s) => [...s].length >= 1 && [...s].length <= 63, {
    message: 'name must be 1 to 63 characters',
  })
  .refine((s) => !hasUnsafeCharacter(s), { message: 'name must not contain control characters' });

/** A DNS-1123 label (see naming.ts): what ids and Kubernetes names are made of. */
export const Dns1123Label = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a lowercase DNS-1123 label');

/** A template id: a short slug, safe in a label value and a URL. */
export const TemplateId = z
  .string()
  .max(40)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a lowercase slug');

export const EnvironmentId = z
  .string()
  .regex(ENVIRONMENT_ID, "must be an environment id ('e' and 16 base32 characters)");
export const UserId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a user id (32 hex characters)');

export const VolumeSpec = z.object({
  /** The PVC's name, decided once at creation (naming.volumeNameFor) and never recomputed. */
  name: Dns1123Label,
  sizeGi: z.number().int().min(1).max(16384),
});
export type VolumeSpec = z.infer<typeof VolumeSpec>;

// A registry host is required (no implicit docker.io): what runs is always spelled out.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})+|localhost)(?::[0-9]{1,5})?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE = new RegExp(
  `^${domain}/${pathComponent}(?:/${pathComponent})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);
const IMAGE_PREFIX = new RegExp(`^${domain}(?:/${pathComponent})*$`);

/** registry/repository[:tag][@sha256:digest] — no whitespace, no shell characters. */
export const ImageReference = z
  .string()
  .max(255)
  .regex(IMAGE, 'must be an image reference: registry/repository[:tag][@sha256:digest]');

/** A registry, or a registry and repository path, that custom images may come from (whole segments). */
export const ImagePrefix = z
  .string()
  .max(255)
  .transform((p) => p.replace(/\/$/, ''))
  .pipe(
    z
      .string()
      .regex(IMAGE_PREFIX, 'must be a registry or registry/repository prefix, e.g. ghcr.io/mylab'),
  );

export const Spec = z.object({
  name: DisplayName,
  templateId: TemplateId,
  resources: Resources,
  volume: VolumeSpec,
  /** A custom image run in place of the template's (custom-images.ts); the template gives the rest. */
  image: ImageReference.optional(),
});
export type Spec = z.infer<typeof Spec>;

export const Failure = z.object({ reason: z.string(), message: z.string() });
export type Failure = z.infer<typeof Failure>;

export const Status = z.object({
  phase: Phase,
  conditions: z.array(Condition),
  /** The generation the cluster reflects (0 before the first observation). */
  observedGeneration: z.number().int().min(0),
  url: z.string().optional(),
  events: z.array(ProgressEvent).max(MAX_STATUS_EVENTS),
  lastActivityAt: Timestamp.optional(),
  /** When the environment last became Running (maximum lifetime counts from here). */
  startedAt: Timestamp.optional(),
  cullAt: Timestamp.optional(),
  failure: Failure.optional(),
  /**
   * The provisioner's last converge of this generation: when it started, and
   * when it polls next (a delayed intent is queued for then). An intent sent
   * before that start, or arriving before that poll, is redundant (an SQS
   * duplicate, a reconciler's re-enqueue, a message held up in a backlog) and
   * is dropped, so extra messages end instead of each polling on
   * (cluster/converge.ts).
   */
  converged: z
    .object({
      at: Timestamp,
      generation: z.number().int().min(1),
      nextPollAt: Timestamp.optional(),
    })
    .optional(),
  /** Where the current start is: its step, since when, when the attempt began, for which generation. */
  progress: z
    .object({
      step: ProgressStep,
      since: Timestamp,
      attemptSince: Timestamp,
      generation: z.number().int().min(1),
    })
    .optional(),
});
export type Status = z.infer<typeof Status>;

export const DataDeletion = z.object({
  requestedAt: Timestamp,
  /** The volume is deleted by the scheduled jobs once this time has passed; restorable until then. */
  purgeAfter: Timestamp,
});
export type DataDeletion = z.infer<typeof DataDeletion>;

export const Environment = z.object({
  id: EnvironmentId,
  ownerId: UserId,
  spec: Spec,
  desiredState: DesiredState,
  /** +1 on every change of spec or desired state. */
  generation: z.number().int().min(1),
  status: Status,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  dataDeletion: DataDeletion.optional(),
  /** An admin's exemption from the reaper: no warning and no cull before this time. */
  keepAliveUntil: Timestamp.optional(),
});
export type Environment = z.infer<typeof Environment>;

export const initialStatus = (): Status => ({
  phase: 'Pending',
  conditions: [],
  observedGeneration: 0,
  events: [],
});

// ---- templates ----

export const EnvVar = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a valid variable name'),
  value: z.string().max(4096),
});
export type EnvVar = z.infer<typeof EnvVar>;

/** An absolute, normalised path of plain characters (the workspace mount). */
export const AbsolutePath = z
  .string()
  .max(255)
  .regex(/^(\/[A-Za-z0-9._-]+)+$/, 'must be an absolute path')
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), {
    message: 'must not contain . or .. segments',
  });

const Argument = z.string().max(4096);

export const Template = z
  .object({
    id: TemplateId,
    name: z.string().trim().min(1).max(80),
    description: z.string().max(1000).default(''),
    icon: z
      .url({ protocol: /^https$/ })
      .max(2048)
      .optional(),
    image: ImageReference,
    port: z.number().int().min(1).max(65535),
    command: z.array(Argument).max(64).optional(),
    args: z.array(Argument).max(256).optional(),
    env: z.array(EnvVar).max(64).optional(),
    /** Where the workspace volume is mounted; also the container's HOME. */
    workspacePath: AbsolutePath.default('/home/jovyan'),
    /** HTTP path of the readiness probe; a TCP check on the port when absent. */
    readinessPath: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/)
      .optional(),
    /** Some images write outside the workspace and /tmp at start; those set false. */
    readOnlyRootFilesystem: z.boolean().default(true),
    defaultResources: Resources,
    maxResources: Resources,
    volumeSizeGi: z.number().int().min(1).max(16384),
    /** A Secret in the user's namespace holding registry credentials, for private images. */
    imagePullSecret: Dns1123Label.optional(),
    /** The tiers that may use this template. */
    tiers: z.array(z.string().min(1).max(40)).min(1),
    /** This template's own cull policy (e.g. GPU templates idle out sooner): the stricter of it and the tier's applies. */
    idleTimeoutMinutes: z.number().int().min(1).max(525_600).optional(),
    maxLifetimeHours: z.number().int().min(1).max(8_760).optional(),
    enabled: z.boolean().default(true),
  })
  .superRefine((t, ctx) => {
    for (const key of ['cpu', 'memory'] as const) {
      const parse = key === 'cpu' ? parseCpu : parseMemory;
      if (parse(t.defaultResources[key])! > parse(t.maxResources[key])!)
        ctx.addIssue({
          code: 'custom',
          path: ['defaultResources', key],
          message: `default ${key} is above the template's maximum`,
        });
    }
    const names = t.env?.map((e) => e.name) ?? [];
    if (new Set(names).size !== names.length)
      ctx.addIssue({ code: 'custom', path: ['env'], message: 'variable names must be unique' });
  });
export type Template = z.infer<typeof Template>;

// ---- settings ----

export const TierLimits = z.object({
  maxRunning: z.number().int().min(0),
  maxTotal: z.number().int().min(0),
  maxCpu: Cpu,
  maxMemory: Memory,
  idleTimeoutMinutes: z.number().int().min(1),
  maxLifetimeHours: z.number().int().min(1),
  volumeSizeGi: z.number().int().min(1),
  /** This tier's warning lead time before a cull; the settings' cullWarningMinutes when absent. */
  cullWarningMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .optional(),
});
export type TierLimits = z.infer<typeof TierLimits>;

export const defaultTiers = {
  free: {
    maxRunning: 1,
    maxTotal: 3,
    maxCpu: '1',
    maxMemory: '2Gi',
    idleTimeoutMinutes: 60,
    maxLifetimeHours: 12,
    volumeSizeGi: 5,
  },
  pro: {
    maxRunning: 3,
    maxTotal: 10,
    maxCpu: '4',
    maxMemory: '16Gi',
    idleTimeoutMinutes: 240,
    maxLifetimeHours: 72,
    volumeSizeGi: 50,
  },
} satisfies Record<string, TierLimits>;

/** Which tiers may launch images of their own, and from where (custom-images.ts). Off: no tiers. */
export const CustomImages = z.object({
  tiers: z.array(z.string().min(1).max(40)).max(50),
  allowedRegistries: z.array(ImagePrefix).max(100),
});
export type CustomImages = z.infer<typeof CustomImages>;

export const Settings = z.object({
  maxRunningGlobal: z.number().int().min(0).default(100),
  // A fresh copy each time: a caller editing the defaults must not edit them for everyone.
  tiers: z
    .record(z.string().min(1).max(40), TierLimits)
    .default(() => structuredClone(defaultTiers)),
  cullWarningMinutes: z.number().int().min(0).default(10),
  dataRetentionDays: z.number().int().min(0).default(7),
  customImages: CustomImages.default(() => ({ tiers: [], allowedRegistries: [] })),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings = (): Settings => Settings.parse({});

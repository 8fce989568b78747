// Tier policies, pure: what a user may ask for (template, cpu, memory) and how
// many environments they may have. Counts come from the store's counters,
// which enforce the same limits atomically (conditions in the transaction);
// these checks give the readable answer first.
import { DomainError, type FieldError, ValidationFailed } from '../errors.js';
import { CustomImagesNotAllowed, customImageRefusal, mayUseCustomImages } from './custom-images.js';
import {
  type CustomImages,
  DisplayName,
  ImageReference,
  type Resources,
  Resources as ResourcesSchema,
  type Settings,
  type Spec,
  type Template,
  type TierLimits,
} from './model.js';
import { formatCpu, formatMemory, parseCpu, parseMemory } from './quantity.js';

export type Limit = 'running' | 'total' | 'global-running';

/** A limit of the user's tier (or of the installation) is reached. 409: stop or delete one and retry. */
export class LimitReached extends DomainError {
  constructor(
    readonly limit: Limit,
    readonly max: number,
  ) {
    super('limit-reached', 'Limit reached', 409, limitDetail(limit, max));
  }
}

function limitDetail(limit: Limit, max: number): string {
  const plural = max === 1 ? 'environment' : 'environments';
  switch (limit) {
    case 'running':
      return `limit of ${max} running ${plural} reached; stop one first`;
    case 'total':
      return `limit of ${max} ${plural} reached; delete one first`;
    case 'global-running':
      return `the installation's limit of ${max} running ${plural} is reached; try again later`;
  }
}

export class UnknownTier extends DomainError {
  constructor(tier: string) {
    super(
      'unknown-tier',
      'Unknown tier',
      403,
      `Your tier "${tier}" is not configured; ask an administrator.`,
    );
  }
}

export function tierLimits(settings: Settings, tier: string): TierLimits {
  const limits = Object.hasOwn(settings.tiers, tier) ? settings.tiers[tier] : undefined;
  if (!limits) throw new UnknownTier(tier);
  return limits;
}

/** A tier's warning lead time before a cull: its own, or the installation's. */
export const cullWarningOf = (
  settings: Pick<Settings, 'cullWarningMinutes'>,
  tier: Pick<TierLimits, 'cullWarningMinutes'>,
): Pick<Settings, 'cullWarningMinutes'> => ({
  cullWarningMinutes: tier.cullWarningMinutes ?? settings.cullWarningMinutes,
});

/** The longest warning lead time of any tier: a first look with it misses no warning due. */
export const longestCullWarning = (settings: Settings): Pick<Settings, 'cullWarningMinutes'> => ({
  cullWarningMinutes: Math.max(
    settings.cullWarningMinutes,
    ...Object.values(settings.tiers).map((t) => t.cullWarningMinutes ?? 0),
  ),
});

export const isTemplateAvailable = (template: Template, tier: string): boolean =>
  template.enabled && template.tiers.includes(tier);

export const availableTemplates = (templates: Template[], tier: string): Template[] =>
  templates.filter((t) => isTemplateAvailable(t, tier));

/** What a client sends to create an environment; everything else is decided here. */
export interface SpecRequest {
  name: unknown;
  templateId: string;
  resources?: { cpu?: unknown; memory?: unknown };
  /** A custom image to run on top of the template, where the tier may (custom-images.ts). */
  image?: unknown;
}

/**
 * The spec to store, or ValidationFailed with every field error at once.
 * A template the tier may not use answers as if it did not exist.
 */
export function resolveSpec(
  request: SpecRequest,
  context: {
    template: Template | undefined;
    tier: string;
    limits: TierLimits;
    /** naming.volumeNameFor(envId), decided by the caller once. */
    volumeName: string;
    /** The settings' custom images; off when absent. */
    customImages?: CustomImages;
  },
): Spec {
  const errors: FieldError[] = [];
  const image = resolveImage(request.image, context.customImages, context.tier, errors);
  const name = DisplayName.safeParse(request.name);
  if (!name.success)
    errors.push({ field: 'name', message: name.error.issues[0]?.message ?? 'invalid name' });
  const { template, limits } = context;
  if (!template || !isTemplateAvailable(template, context.tier)) {
    errors.push({ field: 'templateId', message: 'no such template is available to you' });
    throw new ValidationFailed(errors);
  }
  const resources = resolveResources(request.resources ?? {}, template, limits, errors);
  if (errors.length || !name.success || !resources) throw new ValidationFailed(errors);
  return {
    name: name.data,
    templateId: template.id,
    resources,
    volume: {
      name: context.volumeName,
      sizeGi: Math.min(template.volumeSizeGi, limits.volumeSizeGi),
    },
    ...(image ? { image } : {}),
  };
}

/** The custom image asked for, if any: 403 when the tier may not, a field error when the image is bad. */
function resolveImage(
  requested: unknown,
  settings: CustomImages | undefined,
  tier: string,
  errors: FieldError[],
): string | undefined {
  if (requested === undefined) return undefined;
  if (!settings || !mayUseCustomImages(settings, tier)) throw new CustomImagesNotAllowed(tier);
  const parsed = ImageReference.safeParse(requested);
  if (!parsed.success) {
    errors.push({ field: 'image', message: parsed.error.issues[0]?.message ?? 'invalid image' });
    return undefined;
  }
  const refusal = customImageRefusal(settings, parsed.data);
  if (refusal) errors.push({ field: 'image', message: refusal });
  return refusal ? undefined : parsed.data;
}

function resolveResources(
  requested: { cpu?: unknown; memory?: unknown },
  template: Template,
  limits: TierLimits,
  errors: FieldError[],
): Resources | undefined {
  const parsed = ResourcesSchema.safeParse({
    cpu: requested.cpu ?? template.defaultResources.cpu,
    memory: requested.memory ?? template.defaultResources.memory,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      errors.push({ field: `resources.${issue.path.join('.')}`, message: issue.message });
    return undefined;
  }
  const cpu = parseCpu(parsed.data.cpu)!;
  const maxCpu = Math.min(parseCpu(template.maxResources.cpu)!, parseCpu(limits.maxCpu)!);
  if (cpu > maxCpu)
    errors.push({ field: 'resources.cpu', message: `cpu must be at most ${formatCpu(maxCpu)}` });
  const memory = parseMemory(parsed.data.memory)!;
  const maxMemory = Math.min(
    parseMemory(template.maxResources.memory)!,
    parseMemory(limits.maxMemory)!,
  );
  if (memory > maxMemory)
    errors.push({
      field: 'resources.memory',
      message: `memory must be at most ${formatMemory(maxMemory)}`,
    });
  return parsed.data;
}

/** What the user (and the installation) has now, from the counters. */
export interface Usage {
  /** The user's environments whose desired state is running. */
  running: number;
  /** The user's environments not deleted. */
  total: number;
  /** All running environments of the installation. */
  globalRunning: number;
}

/** Throws LimitReached when creating one more (running) environment would exceed a limit. */
export function checkCreate(usage: Usage, limits: TierLimits, settings: Settings): void {
  if (usage.total >= limits.maxTotal) throw new LimitReached('total', limits.maxTotal);
  checkStart(usage, limits, settings);
}

/** Throws LimitReached when starting one more environment would exceed a limit. */
export function checkStart(
  usage: Pick<Usage, 'running' | 'globalRunning'>,
  limits: TierLimits,
  settings: Settings,
): void {
  if (usage.running >= limits.maxRunning) throw new LimitReached('running', limits.maxRunning);
  if (usage.globalRunning >= settings.maxRunningGlobal)
    throw new LimitReached('global-running', settings.maxRunningGlobal);
}

/** The part of a policy the reaper applies. */
export type CullLimits = Pick<TierLimits, 'idleTimeoutMinutes' | 'maxLifetimeHours'>;

/**
 * The cull policy of one environment: the stricter of its owner's tier and
 * its template's own (a GPU template may idle out sooner than the tier allows).
 * A template that is gone leaves the tier's.
 */
export function cullLimits(
  tier: CullLimits,
  template?: Partial<CullLimits> | undefined,
): CullLimits {
  return {
    idleTimeoutMinutes: Math.min(
      tier.idleTimeoutMinutes,
      template?.idleTimeoutMinutes ?? Number.POSITIVE_INFINITY,
    ),
    maxLifetimeHours: Math.min(
      tier.maxLifetimeHours,
      template?.maxLifetimeHours ?? Number.POSITIVE_INFINITY,
    ),
  };
}

export interface CullDecision {
  /** When the environment will be culled if nothing changes. */
  cullAt: Date;
  reason: 'Idle' | 'MaxLifetime';
  /** Inside the warning window: tell the user. */
  warn: boolean;
  /** Due: stop it now (its volume is kept). */
  cull: boolean;
}

/**
 * When a running environment is culled: idle timeout after its last activity
 * (or its start, if no activity was ever seen), or its maximum lifetime,
 * whichever comes first. Undefined when it has not started.
 *
 * An admin's keep-alive (`keepAliveUntil`) exempts it: no warning and no cull
 * before that time; after it, the cull waits one warning window more, so the
 * owner is always warned first.
 */
export function cullDecision(
  status: { startedAt?: string; lastActivityAt?: string },
  limits: CullLimits,
  settings: Pick<Settings, 'cullWarningMinutes'>,
  now: Date,
  exemption: { keepAliveUntil?: string } = {},
): CullDecision | undefined {
  if (!status.startedAt) return undefined;
  const started = Date.parse(status.startedAt);
  const active = Math.max(started, status.lastActivityAt ? Date.parse(status.lastActivityAt) : 0);
  const idleAt = active + limits.idleTimeoutMinutes * 60_000;
  const maxAt = started + limits.maxLifetimeHours * 3_600_000;
  const warning = settings.cullWarningMinutes * 60_000;
  const keptUntil = exemption.keepAliveUntil ? Date.parse(exemption.keepAliveUntil) : 0;
  const at = Math.max(Math.min(idleAt, maxAt), keptUntil ? keptUntil + warning : 0);
  return {
    cullAt: new Date(at),
    reason: idleAt <= maxAt ? 'Idle' : 'MaxLifetime',
    warn: now.getTime() >= at - warning,
    cull: now.getTime() >= at,
  };
}

// The catalog and the tiers must agree: an enabled template is only usable if
// every tier it names exists and allows at least its default resources. Both
// edits (a template, the settings) are checked against the other, so neither
// can leave a template that no one can launch.

import type { Settings, Template } from '../environment/model.js';
import { parseCpu, parseMemory } from '../environment/quantity.js';
import type { FieldError } from '../errors.js';

interface Misfit {
  tier: string;
  kind: 'missing-tier' | 'cpu' | 'memory';
  message: string;
}

function misfits(template: Template, settings: Settings): Misfit[] {
  if (!template.enabled) return [];
  const found: Misfit[] = [];
  for (const tier of template.tiers) {
    const limits = Object.hasOwn(settings.tiers, tier) ? settings.tiers[tier] : undefined;
    if (!limits) {
      found.push({ tier, kind: 'missing-tier', message: `tier "${tier}" is not configured` });
      continue;
    }
    if (parseCpu(template.defaultResources.cpu)! > parseCpu(limits.maxCpu)!)
      found.push({
        tier,
        kind: 'cpu',
        message: `default cpu ${template.defaultResources.cpu} is above tier "${tier}"'s maximum ${limits.maxCpu}`,
      });
    if (parseMemory(template.defaultResources.memory)! > parseMemory(limits.maxMemory)!)
      found.push({
        tier,
        kind: 'memory',
        message: `default memory ${template.defaultResources.memory} is above tier "${tier}"'s maximum ${limits.maxMemory}`,
      });
  }
  return found;
}

/** Why `template` (if enabled) does not fit `settings`, as errors on the template's fields. */
export function templateMisfits(template: Template, settings: Settings): FieldError[] {
  const field = {
    'missing-tier': 'tiers',
    cpu: 'defaultResources.cpu',
    memory: 'defaultResources.memory',
  };
  return misfits(template, settings).map((m) => ({ field: field[m.kind], message: m.message }));
}

/** Why `settings` would strand an enabled template or contradict themselves, as errors on the settings' fields. */
export function settingsMisfits(settings: Settings, templates: Template[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const [tier, limits] of Object.entries(settings.tiers)) {
    if (limits.maxRunning > limits.maxTotal)
      errors.push({ field: `tiers.${tier}.maxRunning`, message: 'must not exceed maxTotal' });
  }
  const custom = settings.customImages;
  custom.tiers.forEach((tier, i) => {
    if (!Object.hasOwn(settings.tiers, tier))
      errors.push({
        field: `customImages.tiers.${i}`,
        message: `tier "${tier}" is not configured`,
      });
  });
  if (custom.tiers.length > 0 && custom.allowedRegistries.length === 0)
    errors.push({
      field: 'customImages.allowedRegistries',
      message: 'name at least one registry or repository the tiers may launch images from',
    });
  const field = (m: Misfit) =>
    m.kind === 'missing-tier'
      ? `tiers.${m.tier}`
      : `tiers.${m.tier}.${m.kind === 'cpu' ? 'maxCpu' : 'maxMemory'}`;
  for (const template of templates)
    for (const m of misfits(template, settings))
      errors.push({
        field: field(m),
        message: `enabled template "${template.id}" needs it: ${m.message}`,
      });
  return errors;
}

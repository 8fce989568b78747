// Curating the catalog: templates are created, replaced, enabled, disabled
// and deleted here, each checked against the tiers (consistency.ts) and
// written conditionally, so two admins cannot create one id twice.
import type { Template } from '../environment/model.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { type Actor, audited } from './audited.js';
import { templateMisfits } from './consistency.js';
import type { AdminDeps } from './deps.js';
import { TemplateExists, TemplateInUse } from './errors.js';

type Deps = Pick<AdminDeps, 'catalog' | 'fleet' | 'audit' | 'now'>;

export async function listAllTemplates(deps: Pick<AdminDeps, 'catalog'>): Promise<Template[]> {
  return (await deps.catalog.list()).sort((a, b) => a.id.localeCompare(b.id));
}

async function checkFitsTiers(deps: Deps, template: Template) {
  const errors = templateMisfits(template, await deps.catalog.settings());
  if (errors.length) throw new ValidationFailed(errors);
}

export function createTemplate(deps: Deps, actor: Actor, template: Template): Promise<Template> {
  return audited(
    deps,
    actor,
    { action: 'template.create', target: `template:${template.id}` },
    async () => {
      await checkFitsTiers(deps, template);
      if (!(await deps.catalog.putIf(template, false))) throw new TemplateExists(template.id);
      return template;
    },
  );
}

/** Replaces a template whole (PUT semantics): fields left out take their defaults. */
export function replaceTemplate(deps: Deps, actor: Actor, template: Template): Promise<Template> {
  return audited(
    deps,
    actor,
    { action: 'template.update', target: `template:${template.id}` },
    async () => {
      if (!(await deps.catalog.get(template.id))) throw new NotFound('The template');
      await checkFitsTiers(deps, template);
      if (!(await deps.catalog.putIf(template, true))) throw new NotFound('The template');
      return template;
    },
  );
}

export function setTemplateEnabled(
  deps: Deps,
  actor: Actor,
  id: string,
  enabled: boolean,
): Promise<Template> {
  const action = enabled ? 'template.enable' : 'template.disable';
  return audited(deps, actor, { action, target: `template:${id}` }, async () => {
    const current = await deps.catalog.get(id);
    if (!current) throw new NotFound('The template');
    const next = { ...current, enabled };
    await checkFitsTiers(deps, next);
    if (!(await deps.catalog.putIf(next, true))) throw new NotFound('The template');
    return next;
  });
}

/**
 * Deletes a template no live environment uses. An environment created in the
 * instant between the check and the delete would keep running; it fails at
 * its next start with the template missing — disabling first avoids that.
 */
export function deleteTemplate(deps: Deps, actor: Actor, id: string): Promise<void> {
  return audited(deps, actor, { action: 'template.delete', target: `template:${id}` }, async () => {
    if (!(await deps.catalog.get(id))) throw new NotFound('The template');
    const users = await deps.fleet.all({ templateId: id });
    if (users.length > 0) throw new TemplateInUse(id, users.length);
    if (!(await deps.catalog.delete(id))) throw new NotFound('The template');
  });
}

// Curating the catalog: templates are created, replaced, enabled, disabled
// and deleted here, each checked against the tiers (consistency.ts) and
// written conditionally: two admins cannot create one id twice, and an edit
// names the version it read (ETag / If-Match, versioning.ts).
import type { Template } from '../environment/model.js';
import { NotFound, ValidationFailed } from '../errors.js';
import { type Actor, audited } from './audited.js';
import { templateMisfits } from './consistency.js';
import type { AdminDeps } from './deps.js';
import { PreconditionFailed, TemplateExists, TemplateInUse } from './errors.js';
import { checkIfMatch } from './versioning.js';

type Deps = Pick<AdminDeps, 'catalog' | 'fleet' | 'audit' | 'now'>;

export async function listAllTemplates(deps: Pick<AdminDeps, 'catalog'>): Promise<Template[]> {
  return (await deps.catalog.list()).sort((a, b) => a.id.localeCompare(b.id));
}

async function checkFitsTiers(deps: Deps, template: Template) {
  const errors = templateMisfits(template, await deps.catalog.settings());
  if (errors.length) throw new ValidationFailed(errors);
}

/** A template with its version, for the ETag. */
export interface VersionedTemplate {
  template: Template;
  version: number;
}

export async function readTemplate(
  deps: Pick<AdminDeps, 'catalog'>,
  id: string,
): Promise<VersionedTemplate> {
  const found = await deps.catalog.getVersioned(id);
  if (!found) throw new NotFound('The template');
  return found;
}

export function createTemplate(
  deps: Deps,
  actor: Actor,
  template: Template,
): Promise<VersionedTemplate> {
  return audited(
    deps,
    actor,
    { action: 'template.create', target: `template:${template.id}` },
    async () => {
      await checkFitsTiers(deps, template);
      if (!(await deps.catalog.putIf(template, undefined))) throw new TemplateExists(template.id);
      return { template, version: 1 };
    },
  );
}

/**
 * Replaces a template whole (PUT semantics: fields left out take their
 * defaults), only from the version the admin read (If-Match, required).
 */
export function replaceTemplate(
  deps: Deps,
  actor: Actor,
  template: Template,
  ifMatch: string | undefined,
): Promise<VersionedTemplate> {
  return audited(
    deps,
    actor,
    { action: 'template.update', target: `template:${template.id}` },
    async () => {
      const current = await readTemplate(deps, template.id);
      checkIfMatch('template', ifMatch, current.version, { required: true });
      await checkFitsTiers(deps, template);
      return save(deps, template, current.version);
    },
  );
}

/** Enables or disables; If-Match is optional here (a toggle loses nothing), checked when sent. */
export function setTemplateEnabled(
  deps: Deps,
  actor: Actor,
  id: string,
  enabled: boolean,
  ifMatch?: string,
): Promise<VersionedTemplate> {
  const action = enabled ? 'template.enable' : 'template.disable';
  return audited(deps, actor, { action, target: `template:${id}` }, async () => {
    const current = await readTemplate(deps, id);
    checkIfMatch('template', ifMatch, current.version, { required: false });
    const next = { ...current.template, enabled };
    await checkFitsTiers(deps, next);
    return save(deps, next, current.version);
  });
}

/** The conditional write is the guarantee: someone saving since our read makes it a 412. */
async function save(deps: Deps, template: Template, read: number): Promise<VersionedTemplate> {
  if (!(await deps.catalog.putIf(template, read))) throw new PreconditionFailed('template');
  return { template, version: read + 1 };
}

/**
 * Deletes a template no live environment uses. An environment created in the
 * instant between the check and the delete would keep running; it fails at
 * its next start with the template missing — disabling first avoids that.
 */
export function deleteTemplate(
  deps: Deps,
  actor: Actor,
  id: string,
  ifMatch?: string,
): Promise<void> {
  return audited(deps, actor, { action: 'template.delete', target: `template:${id}` }, async () => {
    const current = await readTemplate(deps, id);
    checkIfMatch('template', ifMatch, current.version, { required: false });
    const users = await deps.fleet.all({ templateId: id });
    if (users.length > 0) throw new TemplateInUse(id, users.length);
    if (!(await deps.catalog.delete(id))) throw new NotFound('The template');
  });
}

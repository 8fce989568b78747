// The seed catalog, checked in beside this file: the templates an installation
// starts with (the store copies them on first start; admins edit them after).
// Parsed with the Template schema, so a bad edit fails the build's tests, not a user.
import { z } from 'zod';
import seed from './catalog.json' with { type: 'json' };
import { Template } from './model.js';

export const Catalog = z
  .array(Template)
  .refine((templates) => new Set(templates.map((t) => t.id)).size === templates.length, {
    message: 'template ids must be unique',
  });

export function seedCatalog(): Template[] {
  return Catalog.parse(seed);
}

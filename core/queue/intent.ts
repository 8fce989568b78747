// An intent only says "look at environment X (at least at generation N)". The
// provisioner is level-triggered: it reads the desired state from the store,
// so duplicate, late or reordered intents are harmless.
import { z } from 'zod';

export const Intent = z.object({
  envId: z.string().min(1).max(63),
  /** The owner: lets the provisioner read the environment with one consistent GetItem instead of an eventually consistent index. */
  ownerId: z.string().regex(/^[0-9a-f]{32}$/),
  generation: z.number().int().nonnegative(),
});
export type Intent = z.infer<typeof Intent>;

export function parseIntent(body: string): Intent {
  return Intent.parse(JSON.parse(body));
}

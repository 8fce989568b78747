import { LABEL_ENV, LABEL_USER, MANAGED_BY } from '../manifests.js';

/** What a route builder needs of an environment: its ids, never its display name. */
export interface RouteEnvironment {
  id: string;
  ownerId: string;
}

/** The labels every environment object carries (the reconciler lists by managed-by). */
export const routeLabels = (env: RouteEnvironment): Record<string, string> => ({
  [MANAGED_BY]: 'lablease',
  [LABEL_USER]: env.ownerId,
  [LABEL_ENV]: env.id,
});

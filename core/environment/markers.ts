// What Lablease writes on cluster objects so that it can read its own state
// back from them (manifests.ts writes these, observed.ts reads them).

/** On a Deployment (not its pods, so changing it never restarts them): the environment generation it was built for. */
export const ANNOTATION_GENERATION = 'lablease.dev/generation';

/**
 * On the user's Namespace once its whole scaffold is applied, so a scaffold
 * half-applied (a failure between two objects) is finished next time, and a
 * new SCAFFOLD_VERSION re-applies every user's scaffold.
 */
export const ANNOTATION_SCAFFOLD = 'lablease.dev/scaffold';
export const SCAFFOLD_VERSION = '1';

/** The namespace exists, is not terminating, and carries the current scaffold marker. */
export function isScaffolded(
  namespace:
    | { metadata?: { annotations?: Record<string, string>; deletionTimestamp?: unknown } }
    | undefined,
): boolean {
  return (
    namespace?.metadata?.annotations?.[ANNOTATION_SCAFFOLD] === SCAFFOLD_VERSION &&
    namespace.metadata.deletionTimestamp == null
  );
}

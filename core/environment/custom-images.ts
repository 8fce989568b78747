// Custom images (off by default): the tiers an admin names may launch an
// image of their own on top of a catalog template — the template still gives
// the port, command, arguments, variables, workspace, probe and resources, and
// the pod the same security context; only the image is theirs. The image must
// come from an allow-listed registry or repository prefix.
//
// A prefix matches whole path segments: "ghcr.io/mylab" allows
// "ghcr.io/mylab/tools:1" and "ghcr.io/mylab", never "ghcr.io/mylab-evil/x".
import { DomainError } from '../errors.js';
import type { CustomImages, Spec, Template } from './model.js';

export class CustomImagesNotAllowed extends DomainError {
  constructor(tier: string) {
    super(
      'custom-images-not-allowed',
      'Custom images not allowed',
      403,
      `Your tier "${tier}" may not launch custom images; launch a catalog template, or ask an administrator.`,
    );
  }
}

/** A stopped environment's custom image that the current settings no longer allow. */
export class CustomImageNoLongerAllowed extends DomainError {
  constructor(image: string) {
    super(
      'custom-image-not-allowed',
      'Custom image no longer allowed',
      409,
      `The image "${image}" is no longer allowed for your tier; create a new environment from an allowed image (the volume of this one is kept).`,
    );
  }
}

/** The repository an image reference names: without its tag and digest. */
export function repositoryOf(image: string): string {
  const withoutDigest = image.replace(/@.*$/, '');
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

/** Whether `image` comes from one of the allow-listed prefixes (whole path segments). */
export function isAllowedImage(prefixes: readonly string[], image: string): boolean {
  const repository = repositoryOf(image);
  return prefixes.some((prefix) => repository === prefix || repository.startsWith(`${prefix}/`));
}

export const mayUseCustomImages = (settings: CustomImages, tier: string): boolean =>
  settings.tiers.includes(tier) && settings.allowedRegistries.length > 0;

/** Why `image` is outside the allow-list, as a field message; undefined when it is allowed. */
export function customImageRefusal(settings: CustomImages, image: string): string | undefined {
  if (isAllowedImage(settings.allowedRegistries, image)) return undefined;
  return `must come from an allowed registry or repository: ${settings.allowedRegistries.join(', ')}`;
}

/** The template an environment runs: its own, with the environment's custom image if it has one. */
export function effectiveTemplate(
  template: Template | undefined,
  spec: Pick<Spec, 'image'>,
): Template | undefined {
  return template && spec.image ? { ...template, image: spec.image } : template;
}

// Custom images: who may launch one, from where (whole path segments), how a
// request is refused, and that the pod is the catalog template's pod with
// only the image changed — the same security context.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workspaceDeployment } from '../../../core/cluster/manifests.js';
import {
  CustomImagesNotAllowed,
  effectiveTemplate,
  isAllowedImage,
  mayUseCustomImages,
  repositoryOf,
} from '../../../core/environment/custom-images.js';
import { type CustomImages, ImagePrefix, Settings } from '../../../core/environment/model.js';
import { resolveSpec } from '../../../core/environment/policies.js';
import { ValidationFailed } from '../../../core/errors.js';
import { anEnvironment, aTemplate, proLimits } from './fixtures.js';

const lab: CustomImages = {
  tiers: ['pro'],
  allowedRegistries: ['ghcr.io/mylab', 'registry.lab.example:5000'],
};

const context = (patch = {}) => ({
  template: aTemplate(),
  tier: 'pro',
  limits: proLimits,
  volumeName: 'eabcdefghijklmnop-workspace',
  customImages: lab,
  ...patch,
});

describe('repositoryOf', () => {
  it.each([
    ['ghcr.io/mylab/tools', 'ghcr.io/mylab/tools'],
    ['ghcr.io/mylab/tools:1.2', 'ghcr.io/mylab/tools'],
    [`ghcr.io/mylab/tools@sha256:${'a'.repeat(64)}`, 'ghcr.io/mylab/tools'],
    [`ghcr.io/mylab/tools:1@sha256:${'a'.repeat(64)}`, 'ghcr.io/mylab/tools'],
    ['registry.lab.example:5000/x/y:2', 'registry.lab.example:5000/x/y'],
    ['localhost:5000/x', 'localhost:5000/x'],
  ])('%s → %s', (image, repository) => {
    expect(repositoryOf(image)).toBe(repository);
  });
});

describe('isAllowedImage', () => {
  it('matches whole path segments only', () => {
    const prefixes = lab.allowedRegistries;
    expect(isAllowedImage(prefixes, 'ghcr.io/mylab/tools:1')).toBe(true);
    expect(isAllowedImage(prefixes, 'ghcr.io/mylab/deep/nested/tools')).toBe(true);
    expect(isAllowedImage(prefixes, 'registry.lab.example:5000/anything:tag')).toBe(true);
    expect(isAllowedImage(prefixes, 'ghcr.io/mylab-evil/x')).toBe(false);
    expect(isAllowedImage(prefixes, 'ghcr.io/mylabx:1')).toBe(false);
    expect(isAllowedImage(prefixes, 'ghcr.io/other/mylab/x')).toBe(false);
    expect(isAllowedImage(prefixes, 'registry.lab.example:50000/x')).toBe(false);
    expect(isAllowedImage(prefixes, 'registry.lab.example.evil.io/x')).toBe(false);
    expect(isAllowedImage([], 'ghcr.io/mylab/tools')).toBe(false);
  });

  it('never allows a repository whose segments do not begin with the prefix’s', () => {
    const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[a-z0-9-]{1,4}$/),
        (prefixPath, rest, glued) => {
          const prefix = `ghcr.io/${prefixPath.join('/')}`;
          // Text glued onto the prefix's last segment is another repository.
          const glue = `${prefix}${glued}/${rest.join('/')}:1`;
          expect(isAllowedImage([prefix], glue)).toBe(false);
          expect(isAllowedImage([prefix], `${prefix}/${rest.join('/')}:1`)).toBe(true);
        },
      ),
    );
  });
});

describe('the settings section', () => {
  it('is off by default', () => {
    const settings = Settings.parse({});
    expect(settings.customImages).toEqual({ tiers: [], allowedRegistries: [] });
    expect(mayUseCustomImages(settings.customImages, 'pro')).toBe(false);
    expect(mayUseCustomImages({ tiers: ['pro'], allowedRegistries: [] }, 'pro')).toBe(false);
    expect(mayUseCustomImages(lab, 'free')).toBe(false);
    expect(mayUseCustomImages(lab, 'pro')).toBe(true);
  });

  it('takes registry and repository prefixes, without a trailing slash', () => {
    expect(ImagePrefix.parse('ghcr.io/mylab/')).toBe('ghcr.io/mylab');
    expect(ImagePrefix.parse('registry.lab.example:5000')).toBe('registry.lab.example:5000');
    for (const bad of [
      'mylab',
      'ghcr.io/My Lab',
      'ghcr.io/mylab:tag',
      'ghcr.io//x',
      '',
      'ghcr.io/x\n',
    ])
      expect(ImagePrefix.safeParse(bad).success, bad).toBe(false);
  });
});

describe('resolveSpec with an image', () => {
  it('keeps the template and records the custom image', () => {
    const spec = resolveSpec(
      { name: 'Mine', templateId: 'jupyterlab', image: 'ghcr.io/mylab/torch:2' },
      context(),
    );
    expect(spec).toMatchObject({ templateId: 'jupyterlab', image: 'ghcr.io/mylab/torch:2' });
    expect(resolveSpec({ name: 'Plain', templateId: 'jupyterlab' }, context())).not.toHaveProperty(
      'image',
    );
  });

  it('refuses a tier that may not (403), whatever the image', () => {
    for (const patch of [{ tier: 'free', template: aTemplate() }, { customImages: undefined }])
      expect(() =>
        resolveSpec(
          { name: 'x', templateId: 'jupyterlab', image: 'ghcr.io/mylab/torch:2' },
          context(patch),
        ),
      ).toThrow(CustomImagesNotAllowed);
  });

  it.each([
    ['ghcr.io/mylab-evil/torch:2', 'must come from an allowed registry'],
    ['docker.io/library/python:3', 'must come from an allowed registry'],
    ['ghcr.io/mylab/torch:2 ', 'must be an image reference'],
    ['ghcr.io/mylab/torch\n:2', 'must be an image reference'],
    ['ghcr.io/mylab/torch;rm -rf /', 'must be an image reference'],
    ['torch:2', 'must be an image reference'],
    [42, 'must be an image reference'],
  ])('refuses %j with a field error on image', (image, message) => {
    try {
      resolveSpec({ name: 'x', templateId: 'jupyterlab', image }, context());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationFailed);
      const errors = (err as ValidationFailed).fieldErrors ?? [];
      expect(errors.find((e) => e.field === 'image')?.message ?? '').toMatch(
        message === 'must be an image reference' ? /image reference|expected string/ : message,
      );
    }
  });
});

describe('the pod of a custom image', () => {
  it('is the template’s pod with only the image changed (same security context)', () => {
    const template = aTemplate();
    const env = anEnvironment();
    const custom = anEnvironment({ spec: { ...env.spec, image: 'ghcr.io/mylab/torch:2' } });
    const catalog = workspaceDeployment(env, effectiveTemplate(template, env.spec)!, 1);
    const own = workspaceDeployment(custom, effectiveTemplate(template, custom.spec)!, 1);
    const ownContainer = own.spec!.template.spec!.containers[0]!;
    expect(ownContainer.image).toBe('ghcr.io/mylab/torch:2');
    const catalogContainer = catalog.spec!.template.spec!.containers[0]!;
    expect({ ...ownContainer, image: catalogContainer.image }).toEqual(catalogContainer);
    expect({ ...own.spec!.template.spec, containers: [] }).toEqual({
      ...catalog.spec!.template.spec,
      containers: [],
    });
    expect(ownContainer.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('is the catalog’s when the environment has none, and nothing when the template is gone', () => {
    const template = aTemplate();
    expect(effectiveTemplate(template, {})).toBe(template);
    expect(effectiveTemplate(undefined, { image: 'ghcr.io/mylab/x' })).toBeUndefined();
  });
});

// Server-side apply's field ownership, as a pure function: keyed lists, shared
// ownership, removal of fields a manager stops applying, forced takeover.
import { describe, expect, it } from 'vitest';
import { decodeFields, serverSideApply, trackUpdate } from '../../stacks/local/kubesim/apply.js';
import type { KubeObject } from '../../stacks/local/kubesim/types.js';

const time = '2030-01-01T00:00:00Z';
const apply = (live: KubeObject | undefined, config: KubeObject, manager: string, force = false) =>
  serverSideApply(live, config, { manager, force, time, resource: 'deployments' });

const dep = (
  containers: Array<Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', ...extra },
  spec: { template: { spec: { containers } } },
});

const owned = (obj: KubeObject, manager: string) =>
  [
    ...decodeFields(
      (
        obj.metadata.managedFields as Array<{ manager: string; fieldsV1: Record<string, unknown> }>
      ).find((m) => m.manager === manager)?.fieldsV1,
    ),
  ].map((p) => p.split('\u0000').join(' '));

describe('server-side apply ownership', () => {
  it('merges keyed list elements applied by different managers', () => {
    const a = apply(undefined, dep([{ name: 'app', image: 'a:1' }]), 'a');
    const ab = apply(a, dep([{ name: 'side', image: 's:1' }]), 'b');
    expect(ab.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'app',
      'side',
    ]);
    expect(owned(ab, 'b')).toEqual([
      'f:spec f:template f:spec f:containers k:{"name":"side"} f:name',
      'f:spec f:template f:spec f:containers k:{"name":"side"} f:image',
    ]);
    // a stops applying its container: it goes, b's stays.
    const bOnly = apply(ab, { ...dep([]), spec: { template: { spec: {} } } }, 'a');
    expect(bOnly.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual([
      'side',
    ]);
  });

  it('keeps a field another manager also owns when one manager stops applying it', () => {
    const a = apply(
      undefined,
      dep([{ name: 'app', image: 'a:1' }], { labels: { shared: 'x' } }),
      'a',
    );
    const both = apply(
      a,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', labels: { shared: 'x' } },
      },
      'b',
    );
    const out = apply(both, dep([{ name: 'app', image: 'a:1' }]), 'a');
    expect(out.metadata.labels).toEqual({ shared: 'x' });
  });

  it('forces a conflicting field over and records the new owner', () => {
    const a = apply(undefined, dep([{ name: 'app', image: 'a:1' }]), 'a');
    expect(() => apply(a, dep([{ name: 'app', image: 'a:2' }]), 'b')).toThrow(/conflict with "a"/);
    const forced = apply(a, dep([{ name: 'app', image: 'a:2' }]), 'b', true);
    expect(forced.spec.template.spec.containers[0].image).toBe('a:2');
    expect(owned(forced, 'a')).not.toContain(
      'f:spec f:template f:spec f:containers k:{"name":"app"} f:image',
    );
    expect(owned(forced, 'b')).toContain(
      'f:spec f:template f:spec f:containers k:{"name":"app"} f:image',
    );
  });

  it('an Update takes the fields it changes from their appliers', () => {
    const a = apply(undefined, dep([{ name: 'app', image: 'a:1' }]), 'a');
    const edited = structuredClone(a);
    edited.spec.template.spec.containers[0].image = 'hand:1';
    edited.metadata.managedFields = trackUpdate(a, edited, 'kubectl-edit', time);
    expect(owned(edited, 'kubectl-edit')).toEqual([
      'f:spec f:template f:spec f:containers k:{"name":"app"} f:image',
    ]);
    expect(owned(edited, 'a')).not.toContain(
      'f:spec f:template f:spec f:containers k:{"name":"app"} f:image',
    );
  });
});

// Pure pieces of the API server: patch formats and selectors, as tables.
import { describe, expect, it } from 'vitest';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
} from '../../stacks/local/kubesim/patch.js';
import { parseLabelSelector } from '../../stacks/local/kubesim/selectors.js';
import type { KubeObject } from '../../stacks/local/kubesim/types.js';

describe('strategic merge patch directives', () => {
  const pod = {
    metadata: { finalizers: ['a'] },
    spec: {
      containers: [
        { name: 'app', image: 'x:1', volumeMounts: [{ name: 'w', mountPath: '/w' }] },
        { name: 'side', image: 'y:1' },
      ],
      tolerations: [{ key: 'k' }],
    },
  };

  it('ignores $setElementOrder and $retainKeys, merges finalizers as a set', () => {
    const out = applyStrategicMergePatch(pod, {
      metadata: { finalizers: ['b', 'a'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }],
        containers: [{ name: 'app', image: 'x:2' }],
      },
    });
    expect(out.metadata.finalizers).toEqual(['a', 'b']);
    expect(out.spec.containers.map((c: { image: string }) => c.image)).toEqual(['x:2', 'y:1']);
  });

  it('merges volumeMounts by mountPath and replaces atomic lists', () => {
    const out = applyStrategicMergePatch(pod, {
      spec: {
        containers: [{ name: 'app', volumeMounts: [{ name: 'cache', mountPath: '/c' }] }],
        tolerations: [{ key: 'other' }],
      },
    });
    expect(
      out.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath),
    ).toEqual(['/w', '/c']);
    expect(out.spec.tolerations).toEqual([{ key: 'other' }]);
  });

  it('supports $deleteFromPrimitiveList and list-level $patch: replace', () => {
    const out = applyStrategicMergePatch(pod, {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'z:1' }] },
    });
    expect(out.metadata.finalizers).toEqual([]);
    expect(out.spec.containers).toEqual([{ name: 'only', image: 'z:1' }]);
  });

  it('deletes a map with $patch: delete and keys set to null', () => {
    const out = applyStrategicMergePatch(
      { a: { b: 1 }, c: 2 },
      { a: { $patch: 'delete' }, c: null },
    );
    expect(out).toEqual({});
  });
});

describe('merge and JSON patch', () => {
  it('merge patch replaces arrays wholesale', () => {
    expect(applyMergePatch({ l: [1, 2], m: { x: 1 } }, { l: [3], m: { y: 2 } })).toEqual({
      l: [3],
      m: { x: 1, y: 2 },
    });
  });

  it('JSON patch supports move, copy and escaped pointers', () => {
    const doc = { metadata: { labels: { 'a/b': '1' } }, x: [1, 2] };
    const out = applyJsonPatch(doc, [
      { op: 'copy', from: '/metadata/labels/a~1b', path: '/metadata/labels/c' },
      { op: 'move', from: '/x/0', path: '/x/-' },
    ]);
    expect(out).toEqual({ metadata: { labels: { 'a/b': '1', c: '1' } }, x: [2, 1] });
    expect(doc.x).toEqual([1, 2]);
  });
});

describe('label selectors', () => {
  const obj = (labels: Record<string, string>) =>
    ({ apiVersion: 'v1', kind: 'X', metadata: { labels } }) as KubeObject;
  it.each([
    ['a=1', { a: '1' }, true],
    ['a!=1', {}, true],
    ['a notin (1,2)', { a: '3' }, true],
    ['a in (1, 2),b', { a: '2', b: '' }, true],
    ['!a', { a: '' }, false],
    ['app.kubernetes.io/managed-by=lablease', { 'app.kubernetes.io/managed-by': 'lablease' }, true],
  ])('%s on %j → %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(obj(labels))).toBe(want);
  });

  it('rejects what the server cannot parse with 400', () => {
    expect(() => parseLabelSelector('a in 1')).toThrow(expect.objectContaining({ code: 400 }));
  });
});

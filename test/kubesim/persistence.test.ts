// Behaviour 18: optional persistence to a file (npm run dev keeps its cluster
// across restarts).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCluster } from './support.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('persistence', () => {
  it('saves on change and loads on start, continuing the resourceVersion sequence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubesim-persist-'));
    dirs.push(dir);
    const persistPath = join(dir, 'cluster.json');
    const first = await startTestCluster({ persistPath, controllers: [] });
    const created = await first.core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'kept' }, data: { a: '1' } },
    });
    await first.stop();
    const saved = JSON.parse(await readFile(persistPath, 'utf8'));
    expect(
      saved.objects.configmaps.map((o: { metadata: { name: string } }) => o.metadata.name),
    ).toContain('kept');

    const second = await startTestCluster({ persistPath, controllers: [] });
    try {
      const read = await second.core.readNamespacedConfigMap({
        namespace: 'default',
        name: 'kept',
      });
      expect(read.metadata?.uid).toBe(created.metadata?.uid);
      expect(read.data).toEqual({ a: '1' });
      const next = await second.core.createNamespacedConfigMap({
        namespace: 'default',
        body: { metadata: { name: 'after' } },
      });
      expect(Number(next.metadata?.resourceVersion)).toBeGreaterThan(
        Number(created.metadata?.resourceVersion),
      );
    } finally {
      await second.stop();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { seedCatalog } from '../../core/environment/catalog.js';
import { defaultSettings } from '../../core/environment/model.js';
import { CachedCatalog } from '../../core/store/cached-catalog.js';

function source() {
  const calls = { list: 0, settings: 0 };
  let failNext = false;
  return {
    calls,
    failOnce() {
      failNext = true;
    },
    list: async () => {
      calls.list++;
      if (failNext) {
        failNext = false;
        throw new Error('throttled');
      }
      return seedCatalog();
    },
    get: async () => undefined,
    settings: async () => {
      calls.settings++;
      return defaultSettings();
    },
  };
}

describe('CachedCatalog', () => {
  it('reads the table once per TTL, whatever the number of callers', async () => {
    let now = 0;
    const s = source();
    const cache = new CachedCatalog(s, 5_000, () => now);
    await Promise.all([cache.get('jupyterlab'), cache.list(), cache.settings(), cache.settings()]);
    expect(s.calls).toEqual({ list: 1, settings: 1 });
    now = 4_999;
    expect((await cache.get('jupyterlab'))?.id).toBe('jupyterlab');
    expect(s.calls.list).toBe(1);
    now = 5_000;
    await cache.list();
    await cache.settings();
    expect(s.calls).toEqual({ list: 2, settings: 2 });
  });

  it('does not keep a failed read', async () => {
    const s = source();
    const cache = new CachedCatalog(s, 5_000, () => 0);
    s.failOnce();
    await expect(cache.list()).rejects.toThrow('throttled');
    expect((await cache.list()).length).toBeGreaterThan(0);
    expect(s.calls.list).toBe(2);
  });
});

describe('CachedCatalog over a store that reports its writes', () => {
  it('drops what it holds when the store changes', async () => {
    const s = Object.assign(source(), { changed: new Set<() => void>() });
    const cache = new CachedCatalog(s, 60_000, () => 0);
    await cache.settings();
    for (const fn of s.changed) fn();
    await cache.settings();
    expect(s.calls.settings).toBe(2);
  });
});

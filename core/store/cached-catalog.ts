// The catalog and settings as the hot paths read them (create, converge): from
// memory for a few seconds, then from the table again. They change rarely and
// only through admins, so a warm API instance skips two reads per create; an
// admin's change reaches every instance within `ttlMs`.
import type { CatalogRepository } from '../environment/lifecycle.js';
import type { Settings, Template } from '../environment/model.js';

export class CachedCatalog implements CatalogRepository {
  private templates: { at: number; value: Promise<Template[]> } | undefined;
  private current: { at: number; value: Promise<Settings> } | undefined;

  constructor(
    private readonly source: CatalogRepository & { changed?: Set<() => void> },
    private readonly ttlMs = 5_000,
    private readonly clock: () => number = Date.now,
  ) {
    // Writes through this process's store show at once; other instances wait out the TTL.
    source.changed?.add(() => this.invalidate());
  }

  invalidate() {
    this.templates = undefined;
    this.current = undefined;
  }

  private fresh<T>(entry: { at: number; value: Promise<T> } | undefined) {
    return entry && this.clock() - entry.at < this.ttlMs ? entry.value : undefined;
  }

  list(): Promise<Template[]> {
    const cached = this.fresh(this.templates);
    if (cached) return cached;
    const value = this.source.list();
    this.templates = { at: this.clock(), value };
    // A failed read is not cached: the next call asks again.
    value.catch(() => {
      if (this.templates?.value === value) this.templates = undefined;
    });
    return value;
  }

  async get(id: string): Promise<Template | undefined> {
    return (await this.list()).find((t) => t.id === id);
  }

  settings(): Promise<Settings> {
    const cached = this.fresh(this.current);
    if (cached) return cached;
    const value = this.source.settings();
    this.current = { at: this.clock(), value };
    value.catch(() => {
      if (this.current?.value === value) this.current = undefined;
    });
    return value;
  }
}

// Fault injection and request counting at kubesim's HTTP edge, so tests can
// prove that clients retry 429/5xx, back off on Retry-After and survive a
// dropped watch. Faults are matched per verb and resource and are consumed
// `times` times (forever when unset).

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

export interface FaultSpec {
  /** A verb, or '*' / unset for every verb. */
  verb?: Verb | '*';
  /** A plural ('pods'), with subresource ('pods/status'), or '*' / unset for every resource. */
  resource?: string;
  /** Only in this namespace. */
  namespace?: string;
  /** Answer with this status instead of serving: 429, 500, 503, 504 (or any other). */
  status?: number;
  /** Retry-After seconds sent with the error (default 1 for 429). */
  retryAfterSeconds?: number;
  /** Delay before the request is served (or failed). */
  latencyMs?: number;
  /** For watches: reset the connection this long after it opens (a network failure). */
  dropWatchAfterMs?: number;
  /** For watches: end the stream cleanly this long after it opens (as a server-side watch timeout). */
  endWatchAfterMs?: number;
  /** How many matching requests this fault affects (default: all). */
  times?: number;
  /** Affect each matching request with this probability (0–1; default 1): a flaky cluster. */
  probability?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  /** How many requests it has affected so far. */
  hits: number;
}

export interface RequestInfo {
  verb: Verb;
  /** Plural, optionally with '/subresource'. */
  resource: string;
  namespace?: string;
}

export class Faults {
  private faults: Fault[] = [];
  /** Injectable so a flaky-cluster test can be made repeatable. */
  random: () => number = Math.random;
  private nextId = 1;

  /** Adds a fault; returns it (its `hits` counts matches) — remove with `remove(fault)`. */
  add(spec: FaultSpec): Fault {
    const f: Fault = { ...spec, id: this.nextId++, hits: 0 };
    this.faults.push(f);
    return f;
  }

  remove(fault: Fault) {
    this.faults = this.faults.filter((f) => f.id !== fault.id);
  }

  clear() {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(req: RequestInfo): Fault | undefined {
    const f = this.faults.find(
      (x) => matches(x, req) && (x.probability === undefined || this.random() < x.probability),
    );
    if (!f) return undefined;
    f.hits++;
    if (f.times !== undefined && f.hits >= f.times) this.remove(f);
    return f;
  }
}

function matches(f: FaultSpec, req: RequestInfo): boolean {
  if (f.verb && f.verb !== '*' && f.verb !== req.verb) return false;
  if (f.namespace && f.namespace !== req.namespace) return false;
  if (f.resource && f.resource !== '*') {
    // 'pods' matches pods only (not pods/status); 'pods/status' matches that subresource.
    if (f.resource !== req.resource) return false;
  }
  return true;
}

/** Request counts by verb and resource, as `verb resource` keys. */
export class RequestCounter {
  private counts = new Map<string, number>();

  record(req: RequestInfo) {
    const k = `${req.verb} ${req.resource}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** How many requests matched; omit verb or resource to sum over it. */
  count(verb?: Verb, resource?: string): number {
    let n = 0;
    for (const [k, c] of this.counts) {
      const [v, r] = k.split(' ') as [string, string];
      if ((verb === undefined || v === verb) && (resource === undefined || r === resource)) n += c;
    }
    return n;
  }

  /** All counts: { 'create pods': 3, 'list pods': 1, … }. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset() {
    this.counts.clear();
  }
}

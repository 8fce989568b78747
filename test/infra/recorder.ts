// biome-ignore-all lint/suspicious/noExplicitAny: SST's arguments and outputs are untyped here by design
// Stands in for SST's globals (`sst`, `aws`, `$app`, `$interpolate`, `$config`)
// so the app's own run() executes here, offline, and leaves a record of every
// resource it declares and every method it calls on one. An output (a
// resource's `arn`, `url`, …) is a token that prints as `<Name.path>`, so
// what a function is given can be compared by name: `<Table.arn>`.

export interface Declared {
  /** e.g. `sst.aws.Queue`, `aws.cloudwatch.MetricAlarm` */
  type: string;
  name: string;
  args: Record<string, any>;
}

export interface Called {
  /** the token of the object the method was called on, e.g. `Intents` */
  target: string;
  method: string;
  args: any[];
}

export interface Recording {
  resources: Declared[];
  calls: Called[];
}

const TOKEN = Symbol('token');

/** A deploy-time output: property access and calls extend its path. */
function token(path: string, recording: Recording): any {
  const target = () => {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === TOKEN) return path;
      if (prop === Symbol.toPrimitive || prop === 'toString' || prop === 'toJSON')
        return () => `<${path}>`;
      if (prop === 'then') return undefined; // not a promise
      if (typeof prop === 'symbol') return undefined;
      return token(`${path}.${prop}`, recording);
    },
    apply(_t, _this, args) {
      const dot = path.lastIndexOf('.');
      recording.calls.push({ target: path.slice(0, dot), method: path.slice(dot + 1), args });
      return token(`${path}()`, recording);
    },
  });
}

/** A namespace of components (`sst.aws`, `aws.eks`, …): `new` declares a resource. */
function namespace(path: string, recording: Recording): any {
  // A function expression, not an arrow: only it can be `new`-ed.
  return new Proxy(function component() {}, {
    get(_t, prop) {
      if (typeof prop === 'symbol') return undefined;
      return namespace(`${path}.${prop}`, recording);
    },
    construct(_t, [name, args]) {
      recording.resources.push({ type: path, name, args: args ?? {} });
      return token(name, recording);
    },
    apply(_t, _this, _args) {
      return token(`${path}()`, recording);
    },
  });
}

export function isToken(value: unknown): boolean {
  return typeof value === 'function' && (value as any)[TOKEN] !== undefined;
}

/** Replaces tokens with their printed form, deeply (functions other than tokens are kept). */
export function resolve(value: unknown): any {
  if (isToken(value)) return String(value);
  if (Array.isArray(value)) return value.map(resolve);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  return value;
}

/** Installs the globals for one stage; returns the recording run() fills. */
export function installRecorder(stage: string): Recording {
  const recording: Recording = { resources: [], calls: [] };
  const g = globalThis as any;
  g.sst = namespace('sst', recording);
  g.aws = namespace('aws', recording);
  g.$app = { name: 'lablease', stage };
  g.$config = (config: unknown) => config;
  g.$interpolate = (strings: TemplateStringsArray, ...values: unknown[]) =>
    strings.reduce((out, s, i) => out + s + (i < values.length ? String(values[i]) : ''), '');
  return recording;
}

export function uninstallRecorder(): void {
  const g = globalThis as any;
  for (const name of ['sst', 'aws', '$app', '$config', '$interpolate']) delete g[name];
}

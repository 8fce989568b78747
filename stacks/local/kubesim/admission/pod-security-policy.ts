// The Pod Security Standards checks, with the exact reasons and details of
// k8s.io/pod-security-admission/policy, because clients (and people) match on
// them. Order matters for the aggregated message: baseline checks sorted by
// ID, then restricted checks sorted by ID; restricted checks replace the
// baseline checks they override (capabilities, hostPath, seccomp).
// biome-ignore-all lint/suspicious/noExplicitAny: pod specs are schemaless JSON

export type Level = 'privileged' | 'baseline' | 'restricted';

/** 'latest' or a minor version of 1.x. */
export type PolicyVersion = 'latest' | number;

export interface LevelVersion {
  level: Level;
  version: PolicyVersion;
}

export interface CheckResult {
  reason: string;
  detail: string;
}

type PodSpec = any;
type PodMeta = { annotations?: Record<string, string> };

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  minVersion: number;
  overrides?: string[];
  run(meta: PodMeta, spec: PodSpec): CheckResult | undefined;
}

const joinQuote = (items: string[]) => (items.length ? `"${items.join('", "')}"` : '');
const pluralize = (singular: string, plural: string, n: number) => (n === 1 ? singular : plural);
const sortedUnique = (items: Iterable<string>) => [...new Set(items)].sort();
const containersOf = (spec: PodSpec): any[] => [
  ...(spec?.initContainers ?? []),
  ...(spec?.containers ?? []),
  ...(spec?.ephemeralContainers ?? []),
];
const containerList = (names: string[]) =>
  `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;

const validSeccomp = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';

const baselineCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const allowedRestrictedVolumes = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

const checks: Check[] = [
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    minVersion: 0,
    run(_meta, spec) {
      const bad: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const added: string[] = c.securityContext?.capabilities?.add ?? [];
        const forbidden = added.filter((cap) => !baselineCapabilities.has(cap));
        if (forbidden.length) {
          bad.push(c.name);
          for (const cap of forbidden) caps.add(cap);
        }
      }
      if (!bad.length) return;
      return {
        reason: 'non-default capabilities',
        detail: `${containerList(bad)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`,
      };
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    minVersion: 0,
    run(_meta, spec) {
      const set: string[] = [];
      if (spec?.hostNetwork) set.push('hostNetwork=true');
      if (spec?.hostPID) set.push('hostPID=true');
      if (spec?.hostIPC) set.push('hostIPC=true');
      if (!set.length) return;
      return { reason: 'host namespaces', detail: set.join(', ') };
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    minVersion: 0,
    run(_meta, spec) {
      const names = (spec?.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.name);
      if (!names.length) return;
      return {
        reason: 'hostPath volumes',
        detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
      };
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    minVersion: 0,
    run(_meta, spec) {
      const bad: string[] = [];
      const ports = new Set<string>();
      for (const c of containersOf(spec)) {
        const used = (c.ports ?? []).filter((p: any) => p.hostPort);
        if (used.length) {
          bad.push(c.name);
          for (const p of used) ports.add(String(p.hostPort));
        }
      }
      if (!bad.length) return;
      const list = sortedUnique(ports);
      return {
        reason: 'hostPort',
        detail: `${containerList(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
      };
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    minVersion: 0,
    run(_meta, spec) {
      const bad = containersOf(spec)
        .filter((c) => c.securityContext?.privileged === true)
        .map((c) => c.name);
      if (!bad.length) return;
      return {
        reason: 'privileged',
        detail: `${containerList(bad)} must not set securityContext.privileged=true`,
      };
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    minVersion: 19,
    run(_meta, spec) {
      const setters: string[] = [];
      const values = new Set<string>();
      const podType = spec?.securityContext?.seccompProfile?.type;
      if (spec?.securityContext?.seccompProfile && !validSeccomp(podType)) {
        setters.push('pod');
        values.add(String(podType));
      }
      const bad: string[] = [];
      for (const c of containersOf(spec)) {
        const profile = c.securityContext?.seccompProfile;
        if (profile && !validSeccomp(profile.type)) {
          bad.push(c.name);
          values.add(String(profile.type));
        }
      }
      if (bad.length) setters.push(containerList(bad));
      if (!setters.length) return;
      return {
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(values))}`,
      };
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    minVersion: 8,
    run(_meta, spec) {
      const bad = containersOf(spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name);
      if (!bad.length) return;
      return {
        reason: 'allowPrivilegeEscalation != false',
        detail: `${containerList(bad)} must set securityContext.allowPrivilegeEscalation=false`,
      };
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    minVersion: 22,
    overrides: ['capabilities_baseline'],
    run(_meta, spec) {
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const capabilities = c.securityContext?.capabilities;
        if (!capabilities) {
          missingDrop.push(c.name);
          continue;
        }
        if (!(capabilities.drop ?? []).includes('ALL')) missingDrop.push(c.name);
        const forbidden = (capabilities.add ?? []).filter(
          (cap: string) => cap !== 'NET_BIND_SERVICE',
        );
        if (forbidden.length) {
          adding.push(c.name);
          for (const cap of forbidden) caps.add(cap);
        }
      }
      const details: string[] = [];
      if (missingDrop.length)
        details.push(
          `${containerList(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`,
        );
      if (adding.length)
        details.push(
          `${containerList(adding)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`,
        );
      if (!details.length) return;
      return { reason: 'unrestricted capabilities', detail: details.join('; ') };
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    minVersion: 0,
    overrides: ['hostPathVolumes'],
    run(_meta, spec) {
      const bad: string[] = [];
      const types = new Set<string>();
      for (const v of spec?.volumes ?? []) {
        const sources = Object.keys(v).filter((k) => k !== 'name');
        if (sources.some((s) => allowedRestrictedVolumes.includes(s))) continue;
        bad.push(v.name);
        types.add(sources[0] ?? 'unknown');
      }
      if (!bad.length) return;
      const typeList = sortedUnique(types);
      return {
        reason: 'restricted volume types',
        detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', typeList.length)} ${joinQuote(typeList)}`,
      };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    minVersion: 0,
    run(_meta, spec) {
      const setters: string[] = [];
      let podNonRoot = false;
      const podValue = spec?.securityContext?.runAsNonRoot;
      if (podValue === false) setters.push('pod');
      else if (podValue === true) podNonRoot = true;
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(spec)) {
        const value = c.securityContext?.runAsNonRoot;
        if (value === false) explicit.push(c.name);
        else if (value !== true && !podNonRoot) implicit.push(c.name);
      }
      if (explicit.length) setters.push(containerList(explicit));
      if (setters.length)
        return {
          reason: 'runAsNonRoot != true',
          detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
        };
      if (implicit.length)
        return {
          reason: 'runAsNonRoot != true',
          detail: `pod or ${containerList(implicit)} must set securityContext.runAsNonRoot=true`,
        };
      return;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    minVersion: 23,
    run(_meta, spec) {
      const setters: string[] = [];
      if (spec?.securityContext?.runAsUser === 0) setters.push('pod');
      const bad = containersOf(spec)
        .filter((c) => c.securityContext?.runAsUser === 0)
        .map((c) => c.name);
      if (bad.length) setters.push(containerList(bad));
      if (!setters.length) return;
      return { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` };
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    minVersion: 19,
    overrides: ['seccompProfile_baseline'],
    run(_meta, spec) {
      const setters: string[] = [];
      const values = new Set<string>();
      let podSet = false;
      const podProfile = spec?.securityContext?.seccompProfile;
      if (podProfile) {
        if (!validSeccomp(podProfile.type)) {
          setters.push('pod');
          values.add(String(podProfile.type));
        } else podSet = true;
      }
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(spec)) {
        const profile = c.securityContext?.seccompProfile;
        if (profile) {
          if (!validSeccomp(profile.type)) {
            explicit.push(c.name);
            values.add(String(profile.type));
          }
        } else if (!podSet) implicit.push(c.name);
      }
      if (explicit.length) setters.push(containerList(explicit));
      if (setters.length)
        return {
          reason: 'seccompProfile',
          detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(values))}`,
        };
      if (implicit.length)
        return {
          reason: 'seccompProfile',
          detail: `pod or ${containerList(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        };
      return;
    },
  },
];

// Go sorts IDs bytewise: baseline first, then restricted.
const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const baselineChecks = checks.filter((c) => c.level === 'baseline').sort(byId);
const restrictedChecks = checks.filter((c) => c.level === 'restricted').sort(byId);

/** Every failing check for the pod at this level and version, in the real order. */
export function evaluatePod(lv: LevelVersion, meta: PodMeta, spec: PodSpec): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.version === 'latest' ? Number.POSITIVE_INFINITY : lv.version;
  const applies = (c: Check) => c.minVersion <= minor;
  let active = baselineChecks.filter(applies);
  if (lv.level === 'restricted') {
    const restricted = restrictedChecks.filter(applies);
    const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
    active = [...active.filter((c) => !overridden.has(c.id)), ...restricted];
  }
  return active.map((c) => c.run(meta, spec)).filter((r): r is CheckResult => r !== undefined);
}

/** `reason (detail), reason (detail)`: AggregateCheckResult.ForbiddenDetail(). */
export const aggregate = (results: CheckResult[]): string =>
  results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');

export const formatLevelVersion = (lv: LevelVersion): string =>
  `${lv.level}:${lv.version === 'latest' ? 'latest' : `v1.${lv.version}`}`;

export const levelLabel = (mode: 'enforce' | 'audit' | 'warn') =>
  `pod-security.kubernetes.io/${mode}`;
export const versionLabel = (mode: 'enforce' | 'audit' | 'warn') =>
  `pod-security.kubernetes.io/${mode}-version`;

export type LabelError = { field: string; message: string };

/** Reads one mode's level and version from namespace labels (invalid values are reported, as the API does). */
export function parseModePolicy(
  labels: Record<string, string> | undefined,
  mode: 'enforce' | 'audit' | 'warn',
): { policy?: LevelVersion; errors: LabelError[] } {
  const errors: LabelError[] = [];
  const levelValue = labels?.[levelLabel(mode)];
  const versionValue = labels?.[versionLabel(mode)];
  let level: Level | undefined;
  if (levelValue !== undefined) {
    if (levelValue === 'privileged' || levelValue === 'baseline' || levelValue === 'restricted')
      level = levelValue;
    else {
      errors.push({
        field: `metadata.labels[${levelLabel(mode)}]`,
        message: `Invalid value: "${levelValue}": must be one of privileged, baseline, restricted`,
      });
      level = 'restricted';
    }
  }
  let version: PolicyVersion = 'latest';
  if (versionValue !== undefined && versionValue !== 'latest') {
    const m = /^v1\.(0|[1-9][0-9]*)$/.exec(versionValue);
    if (m) version = Number(m[1]);
    else
      errors.push({
        field: `metadata.labels[${versionLabel(mode)}]`,
        message: `Invalid value: "${versionValue}": must be "latest" or "v1.x"`,
      });
  }
  return { policy: level ? { level, version } : undefined, errors };
}

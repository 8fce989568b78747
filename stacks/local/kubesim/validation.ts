// Object validation as the API server's registry strategies do it, for the
// kinds Lablease writes: name rules, labels, required fields and the fields
// that are immutable after creation. Each failure is one cause with the real
// field path and message text; apiserver.ts turns them into a 422 Invalid.

import { deepEqual } from './json.js';
import type { ServedResource } from './resources.js';
import type { KubeObject } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are schemaless JSON
type Json = any;

export interface FieldError {
  field: string;
  message: string;
  reason:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueForbidden'
    | 'FieldValueDuplicate'
    | 'FieldValueNotSupported'
    | 'FieldValueTooLong';
}

const q = (v: unknown) => JSON.stringify(v);
const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  field,
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${typeof value === 'string' ? q(value) : goValue(value)}: ${detail}`,
});
const required = (field: string, detail = ''): FieldError => ({
  field,
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
});
const forbidden = (field: string, detail: string): FieldError => ({
  field,
  reason: 'FieldValueForbidden',
  message: `Forbidden: ${detail}`,
});

/** A rough rendering of Go's %#v for the values the real messages print. */
function goValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]string{${v.map((x) => q(x)).join(', ')}}`;
  if (v && typeof v === 'object') {
    return `map[string]string{${Object.entries(v)
      .map(([k, x]) => `${q(k)}:${q(x)}`)
      .join(', ')}}`;
  }
  return q(v);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const MSG = {
  dns1123Label:
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  dns1123Subdomain:
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  dns1035Label:
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  qualifiedName:
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  labelValue:
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  tooLong: (n: number) => `must be no more than ${n} characters`,
};

/** Errors of `value` against a name rule, as messages (empty when valid). */
export function nameRuleErrors(rule: ServedResource['nameRule'], value: string): string[] {
  const out: string[] = [];
  switch (rule) {
    case 'dns1123-label':
      if (value.length > 63) out.push(MSG.tooLong(63));
      if (!DNS1123_LABEL.test(value)) out.push(MSG.dns1123Label);
      break;
    case 'dns1123-subdomain':
      if (value.length > 253) out.push(MSG.tooLong(253));
      if (!DNS1123_SUBDOMAIN.test(value)) out.push(MSG.dns1123Subdomain);
      break;
    case 'dns1035-label':
      if (value.length > 63) out.push(MSG.tooLong(63));
      if (!DNS1035_LABEL.test(value)) out.push(MSG.dns1035Label);
      break;
    case 'path-segment':
      if (value === '.' || value === '..') out.push(`may not be '${value}'`);
      else if (/[/%]/.test(value)) out.push("may not contain '/' or '%'");
      break;
  }
  return out;
}

/** A qualified name (label/annotation key): optional DNS subdomain prefix, '/', name ≤ 63. */
function qualifiedNameErrors(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) out.push(`prefix part ${MSG.tooLong(253)}`);
      if (!DNS1123_SUBDOMAIN.test(prefix)) out.push(`prefix part ${MSG.dns1123Subdomain}`);
    }
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else {
    if (name.length > 63) out.push(`name part ${MSG.tooLong(63)}`);
    if (!QUALIFIED_NAME.test(name)) out.push(MSG.qualifiedName);
  }
  return out;
}

export function labelErrors(
  labels: Record<string, string> | undefined,
  field = 'metadata.labels',
): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of qualifiedNameErrors(k)) out.push(invalidValue(field, k, m));
    if (typeof v !== 'string') {
      out.push(invalidValue(field, v, 'must be a string'));
      continue;
    }
    if (v.length > 63) out.push(invalidValue(field, v, MSG.tooLong(63)));
    if (!LABEL_VALUE.test(v)) out.push(invalidValue(field, v, MSG.labelValue));
  }
  return out;
}

function metadataErrors(r: ServedResource, obj: KubeObject, generated: boolean): FieldError[] {
  const out: FieldError[] = [];
  const md = obj.metadata;
  if (!md.name) {
    out.push(required('metadata.name', 'name or generateName is required'));
  } else {
    // A generated name is reported against generateName, as the server does.
    const field = generated ? 'metadata.generateName' : 'metadata.name';
    const value = generated ? (md.generateName as string) : md.name;
    for (const m of nameRuleErrors(r.nameRule, md.name)) out.push(invalidValue(field, value, m));
  }
  if (r.namespaced && !md.namespace) out.push(required('metadata.namespace'));
  out.push(...labelErrors(md.labels));
  for (const k of Object.keys(md.annotations ?? {})) {
    for (const m of qualifiedNameErrors(k)) out.push(invalidValue('metadata.annotations', k, m));
  }
  return out;
}

function containerErrors(containers: unknown, field: string, requiredList: boolean): FieldError[] {
  const out: FieldError[] = [];
  if (!Array.isArray(containers) || containers.length === 0) {
    if (requiredList) out.push(required(field));
    return out;
  }
  const names = new Set<string>();
  containers.forEach((c: Record<string, unknown>, i) => {
    const f = `${field}[${i}]`;
    const name = c?.name;
    if (typeof name !== 'string' || name === '') out.push(required(`${f}.name`));
    else {
      for (const m of nameRuleErrors('dns1123-label', name))
        out.push(invalidValue(`${f}.name`, name, m));
      if (names.has(name))
        out.push({
          field: `${f}.name`,
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: ${q(name)}`,
        });
      names.add(name);
    }
    if (typeof c?.image !== 'string' || c.image.trim() === '') out.push(required(`${f}.image`));
    const ports = Array.isArray(c?.ports) ? (c.ports as Array<Record<string, unknown>>) : [];
    ports.forEach((p, j) => {
      const cp = p?.containerPort;
      if (cp === undefined) out.push(required(`${f}.ports[${j}].containerPort`));
      else if (typeof cp !== 'number' || cp < 1 || cp > 65535)
        out.push(
          invalidValue(
            `${f}.ports[${j}].containerPort`,
            cp,
            'must be between 1 and 65535, inclusive',
          ),
        );
    });
  });
  return out;
}

function podSpecErrors(spec: Record<string, unknown> | undefined, field: string): FieldError[] {
  if (!spec) return [required(field)];
  const out = [
    ...containerErrors(spec.containers, `${field}.containers`, true),
    ...containerErrors(spec.initContainers, `${field}.initContainers`, false),
  ];
  const volumes = Array.isArray(spec.volumes)
    ? (spec.volumes as Array<Record<string, unknown>>)
    : [];
  const vnames = new Set<string>();
  volumes.forEach((v, i) => {
    const name = v?.name;
    if (typeof name !== 'string' || !name) out.push(required(`${field}.volumes[${i}].name`));
    else {
      for (const m of nameRuleErrors('dns1123-label', name))
        out.push(invalidValue(`${field}.volumes[${i}].name`, name, m));
      if (vnames.has(name))
        out.push({
          field: `${field}.volumes[${i}].name`,
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: ${q(name)}`,
        });
      vnames.add(name);
    }
  });
  return out;
}

/** Go-ish rendering of a LabelSelector for the immutable/invalid messages. */
function selectorRepr(sel: { matchLabels?: Record<string, string> } | undefined): string {
  const ml = sel?.matchLabels
    ? `map[string]string{${Object.entries(sel.matchLabels)
        .map(([k, v]) => `${q(k)}:${q(v)}`)
        .join(', ')}}`
    : 'map[string]string(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`;
}

function selectsTemplate(
  sel: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] },
  labels: Record<string, string> | undefined,
): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

function workloadErrors(obj: KubeObject, kind: 'Deployment' | 'ReplicaSet'): FieldError[] {
  const out: FieldError[] = [];
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  if (spec.replicas !== undefined && (typeof spec.replicas !== 'number' || spec.replicas < 0)) {
    out.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  }
  const sel = spec.selector;
  if (!sel) out.push(required('spec.selector'));
  else if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
    out.push({
      field: 'spec.selector',
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${selectorRepr(sel)}: empty selector is invalid for deployment`,
    });
  }
  const tpl = spec.template;
  if (!tpl) out.push(required('spec.template'));
  else {
    const labels = tpl.metadata?.labels;
    out.push(...labelErrors(labels, 'spec.template.metadata.labels'));
    if (sel && !selectsTemplate(sel, labels)) {
      out.push(
        invalidValue(
          'spec.template.metadata.labels',
          labels ?? {},
          '`selector` does not match template `labels`',
        ),
      );
    }
    out.push(...podSpecErrors(tpl.spec, 'spec.template.spec'));
    const rp = tpl.spec?.restartPolicy;
    if (rp !== undefined && rp !== 'Always') {
      out.push({
        field: 'spec.template.spec.restartPolicy',
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${q(rp)}: supported values: "Always"`,
      });
    }
  }
  if (kind === 'Deployment') {
    const st = spec.strategy;
    if (st?.type && st.type !== 'Recreate' && st.type !== 'RollingUpdate') {
      out.push({
        field: 'spec.strategy.type',
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${q(st.type)}: supported values: "Recreate", "RollingUpdate"`,
      });
    }
    if (st?.type === 'Recreate' && st.rollingUpdate) {
      out.push(
        forbidden(
          'spec.strategy.rollingUpdate',
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      );
    }
  }
  return out;
}

function serviceErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = obj.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type)) {
    out.push({
      field: 'spec.type',
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${q(type)}: supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`,
    });
  }
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None')
    out.push(required('spec.ports'));
  ports.forEach((p: Record<string, unknown>, i: number) => {
    if (p.port === undefined) out.push(required(`spec.ports[${i}].port`));
    else if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
      out.push(
        invalidValue(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive'),
      );
    if (ports.length > 1 && !p.name) out.push(required(`spec.ports[${i}].name`));
  });
  return out;
}

function pvcErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = obj.spec;
  if (!spec) return [required('spec')];
  if (!Array.isArray(spec.accessModes) || spec.accessModes.length === 0)
    out.push(required('spec.accessModes', 'at least 1 access mode is required'));
  if (!spec.resources?.requests?.storage) out.push(required('spec.resources[storage]'));
  return out;
}

function ingressErrors(obj: KubeObject): FieldError[] {
  const spec = obj.spec ?? {};
  if (!spec.defaultBackend && !(spec.rules ?? []).length) {
    return [
      {
        field: 'spec.rules',
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      },
    ];
  }
  const out: FieldError[] = [];
  (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule: Record<string, Json>, i: number) => {
    const host = rule?.host;
    if (typeof host === 'string' && host !== '') {
      // A wildcard host is `*.` followed by a subdomain.
      const bare = host.startsWith('*.') ? host.slice(2) : host;
      for (const m of nameRuleErrors('dns1123-subdomain', bare))
        out.push(invalidValue(`spec.rules[${i}].host`, host, m));
    }
    const paths = Array.isArray(rule?.http?.paths) ? rule.http.paths : [];
    paths.forEach((p: Record<string, Json>, j: number) => {
      const f = `spec.rules[${i}].http.paths[${j}]`;
      if (!p?.pathType) out.push(required(`${f}.pathType`, 'pathType must be specified'));
      else if (!['Exact', 'ImplementationSpecific', 'Prefix'].includes(p.pathType)) {
        out.push({
          field: `${f}.pathType`,
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: ${q(p.pathType)}: supported values: "Exact", "ImplementationSpecific", "Prefix"`,
        });
      }
      if (
        (p?.pathType === 'Exact' || p?.pathType === 'Prefix') &&
        !String(p.path ?? '').startsWith('/')
      ) {
        out.push(invalidValue(`${f}.path`, p.path ?? '', 'must be an absolute path'));
      }
    });
  });
  return out;
}

const GATEWAY_HOSTNAME =
  '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** The HTTPRoute CRD's OpenAPI rules for hostnames, with the messages CRD validation prints. */
function httpRouteErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const hostnames = obj.spec?.hostnames;
  if (!Array.isArray(hostnames)) return out;
  if (hostnames.length > 16) {
    out.push({
      field: 'spec.hostnames',
      reason: 'FieldValueTooLong',
      message: `Too many: ${hostnames.length}: must have at most 16 items`,
    });
  }
  const re = new RegExp(GATEWAY_HOSTNAME);
  hostnames.forEach((h: unknown, i: number) => {
    const f = `spec.hostnames[${i}]`;
    if (typeof h !== 'string' || !re.test(h) || h.length > 253) {
      out.push(invalidValue(f, h, `${f} in body should match '${GATEWAY_HOSTNAME}'`));
    }
  });
  return out;
}

function eventErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  if (!obj.involvedObject) out.push(required('involvedObject'));
  if (obj.involvedObject?.namespace && obj.involvedObject.namespace !== obj.metadata.namespace) {
    out.push(
      invalidValue(
        'involvedObject.namespace',
        obj.involvedObject.namespace,
        'does not match event.namespace',
      ),
    );
  }
  return out;
}

/** Everything a create must satisfy. `generated` says the name came from generateName. */
export function validateCreate(
  r: ServedResource,
  obj: KubeObject,
  generated = false,
): FieldError[] {
  const out = metadataErrors(r, obj, generated);
  switch (r.kind) {
    case 'Pod':
      out.push(...podSpecErrors(obj.spec, 'spec'));
      break;
    case 'Deployment':
    case 'ReplicaSet':
      out.push(...workloadErrors(obj, r.kind));
      break;
    case 'Service':
      out.push(...serviceErrors(obj));
      break;
    case 'PersistentVolumeClaim':
      out.push(...pvcErrors(obj));
      break;
    case 'Ingress':
      out.push(...ingressErrors(obj));
      break;
    case 'HTTPRoute':
      out.push(...httpRouteErrors(obj));
      break;
    case 'Event':
      out.push(...eventErrors(obj));
      break;
    case 'ConfigMap':
    case 'Secret':
      for (const k of [
        ...Object.keys(obj.data ?? {}),
        ...Object.keys(obj.stringData ?? {}),
        ...Object.keys(obj.binaryData ?? {}),
      ]) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253) {
          out.push(
            invalidValue(
              `data[${k}]`,
              k,
              "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            ),
          );
        }
      }
      break;
  }
  return out;
}

const same = deepEqual;

/** Pod spec with the fields an update may change blanked out, to compare the rest. */
function podSpecSkeleton(spec: Record<string, unknown> | undefined, keepNodeName: boolean) {
  const s = structuredClone(spec ?? {}) as Record<string, unknown>;
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(s[list]))
      for (const c of s[list] as Array<Record<string, unknown>>) delete c.image;
  }
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  delete s.terminationGracePeriodSeconds;
  if (!keepNodeName) delete s.nodeName;
  return s;
}

/**
 * What an update may not change. `trusted` writers (kubesim's own scheduler,
 * standing in for the pods/binding subresource) may set spec.nodeName once.
 */
export function validateUpdate(
  r: ServedResource,
  obj: KubeObject,
  old: KubeObject,
  trusted = false,
): FieldError[] {
  const out = validateCreate(r, obj);
  if (old.metadata.deletionTimestamp) {
    const before = new Set(old.metadata.finalizers ?? []);
    if ((obj.metadata.finalizers ?? []).some((f: string) => !before.has(f))) {
      out.push(
        forbidden(
          'metadata.finalizers',
          'no new finalizers can be added if the object is being deleted',
        ),
      );
    }
  }
  switch (r.kind) {
    case 'Deployment':
    case 'ReplicaSet':
      if (!same(obj.spec?.selector, old.spec?.selector)) {
        out.push({
          field: 'spec.selector',
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${selectorRepr(obj.spec?.selector)}: field is immutable`,
        });
      }
      break;
    case 'Pod': {
      const nodeNameSet = trusted && !old.spec?.nodeName;
      if (!same(podSpecSkeleton(obj.spec, !nodeNameSet), podSpecSkeleton(old.spec, !nodeNameSet))) {
        out.push(
          forbidden(
            'spec',
            'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          ),
        );
      }
      break;
    }
    case 'PersistentVolumeClaim': {
      const strip = (s: Record<string, unknown> | undefined) => {
        const c = structuredClone(s ?? {}) as Record<string, Record<string, unknown>>;
        if (c.resources) delete c.resources.requests;
        delete c.volumeAttributesClassName;
        // The binder fills volumeName once; that is not a user change.
        if (trusted || !old.spec?.volumeName) delete c.volumeName;
        return c;
      };
      if (!same(strip(obj.spec), strip(old.spec))) {
        out.push(
          forbidden(
            'spec',
            'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
          ),
        );
      }
      const was = parseQuantity(old.spec?.resources?.requests?.storage);
      const now = parseQuantity(obj.spec?.resources?.requests?.storage);
      if (was !== undefined && now !== undefined && now < was) {
        out.push(
          forbidden('spec.resources.requests.storage', 'field can not be less than previous value'),
        );
      }
      break;
    }
    case 'Service':
      if (
        old.spec?.clusterIP &&
        obj.spec?.clusterIP !== undefined &&
        obj.spec.clusterIP !== old.spec.clusterIP
      ) {
        out.push(invalidValue('spec.clusterIP', obj.spec.clusterIP, 'field is immutable'));
      }
      break;
    case 'Secret':
    case 'ConfigMap':
      if (old.immutable === true) {
        if (!same(obj.data, old.data) || !same(obj.binaryData, old.binaryData))
          out.push(forbidden('data', 'field is immutable when `immutable` is set'));
        if (obj.immutable !== true)
          out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      }
      if (r.kind === 'Secret' && old.type !== undefined && obj.type !== old.type)
        out.push(invalidValue('type', obj.type, 'field is immutable'));
      break;
  }
  return out;
}

const SUFFIX: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  m: 1e-3,
};

/** A resource.Quantity as a number ('10Gi' → 10737418240); undefined if unparsable. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?[0-9.]+)(e[+-]?[0-9]+)?([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return undefined;
  const mult = SUFFIX[m[3] ?? ''];
  if (mult === undefined) return undefined;
  return Number(`${m[1]}${m[2] ?? ''}`) * mult;
}

// The API server's decoding step, before defaults and admission: what Go's
// JSON decoder into the typed object rejects (400: wrong types, bad base64,
// unknown fields under fieldValidation=Strict) and what it silently drops
// (unknown fields, with a warning by default). Objects that pass are shaped
// as stored: apiVersion/kind set, namespace reconciled with the URL's.

import { badRequest } from './errors.js';
import { dropUnknownFields, type FieldValidation } from './fields.js';
import { apiVersionOf, type ServedResource } from './resources.js';
import type { KubeObject } from './types.js';

/** Decodes a request body for `r`; unknown-field warnings are appended to `warnings`. */
export function decodeBody(
  r: ServedResource,
  namespace: string | undefined,
  body: KubeObject,
  validation: FieldValidation = 'Warn',
  warnings: string[] = [],
): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the object provided is unrecognized');
  const obj = structuredClone(body);
  if (obj.kind && obj.kind !== r.kind) {
    throw badRequest(
      `${obj.kind} in version "${(obj.apiVersion ?? '').split('/').pop()}" cannot be handled as a ${r.kind}: no kind "${obj.kind}" is registered for version "${apiVersionOf(r)}"`,
    );
  }
  if (r.kind === 'Secret') checkBase64Data(obj);
  checkIntegerFields(r, obj);
  const unknown = dropUnknownFields(r.kind, obj) ?? [];
  if (unknown.length && validation === 'Strict') {
    throw badRequest(
      `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`,
    );
  }
  if (validation === 'Warn') warnings.push(...unknown.map((f) => `unknown field "${f}"`));
  for (const field of ['labels', 'annotations'] as const) {
    for (const v of Object.values(obj.metadata?.[field] ?? {})) {
      if (typeof v !== 'string') {
        throw badRequest(
          `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal ${jsonType(v)} into Go struct field ObjectMeta.metadata.${field} of type string`,
        );
      }
    }
  }
  obj.apiVersion = apiVersionOf(r);
  obj.kind = r.kind;
  obj.metadata ??= {};
  if (r.namespaced) {
    if (namespace && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = namespace || obj.metadata.namespace;
  } else delete obj.metadata.namespace;
  return obj;
}

/** Go's JSON decoder type of a JSON value, as its messages name it. */
const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;

/**
 * int32 fields clients most often send as strings (YAML `replicas: "1"`):
 * the real decoder fails with 400 before validation, naming the Go struct.
 */
function checkIntegerFields(r: ServedResource, obj: KubeObject) {
  const fail = (v: unknown, goStruct: string, path: string) => {
    throw badRequest(
      `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: json: cannot unmarshal ${jsonType(v)} into Go struct field ${goStruct}.${path} of type int32`,
    );
  };
  const isInt = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isInteger(v));
  const containers = (podSpec: KubeObject['spec'], prefix: string) => {
    for (const list of ['containers', 'initContainers']) {
      for (const c of Array.isArray(podSpec?.[list]) ? podSpec[list] : []) {
        for (const p of Array.isArray(c?.ports) ? c.ports : []) {
          if (!isInt(p?.containerPort))
            fail(p.containerPort, 'ContainerPort', `${prefix}.${list}.ports.containerPort`);
        }
      }
    }
  };
  if (r.kind === 'Deployment' || r.kind === 'ReplicaSet') {
    if (!isInt(obj.spec?.replicas)) fail(obj.spec.replicas, `${r.kind}Spec`, 'spec.replicas');
    containers(obj.spec?.template?.spec, 'spec.template.spec');
  }
  if (r.kind === 'Pod') containers(obj.spec, 'spec');
  if (r.kind === 'Service') {
    for (const p of Array.isArray(obj.spec?.ports) ? obj.spec.ports : []) {
      if (!isInt(p?.port)) fail(p.port, 'ServicePort', 'spec.ports.port');
    }
  }
}

/** Secret.data is []byte in Go: a value that is not base64 fails decoding with 400, before anything else. */
function checkBase64Data(obj: KubeObject) {
  for (const value of Object.values(obj.data ?? {})) {
    if (typeof value !== 'string') continue;
    const bad = value.search(/[^A-Za-z0-9+/=]/);
    const padding = value.indexOf('=');
    const at =
      bad >= 0
        ? bad
        : padding >= 0 && /[^=]/.test(value.slice(padding))
          ? padding
          : value.length % 4
            ? value.length - (value.length % 4)
            : -1;
    if (at >= 0) {
      throw badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`,
      );
    }
  }
}

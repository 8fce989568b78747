// Small helpers every admission plugin needs to read a request the way the
// kube-apiserver names things in its messages.
import { forbidden, type StatusError } from '../errors.js';
import type { AdmissionRequest } from '../types.js';

/** `pods`, `deployments.apps`: GroupResource.String(), as used in error messages. */
export const groupResource = (req: AdmissionRequest): string =>
  req.resource.group ? `${req.resource.plural}.${req.resource.group}` : req.resource.plural;

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
export const forbiddenFor = (req: AdmissionRequest, why: string): StatusError =>
  forbidden(groupResource(req), subjectName(req), why, req.resource.group, req.resource.plural);

/** The name errors use: for a generateName create, the prefix (the name is generated after admission). */
export const subjectName = (req: AdmissionRequest): string =>
  req.name || req.object.metadata.generateName || req.object.metadata.name || 'Unknown';

export const isPodCreate = (req: AdmissionRequest): boolean =>
  req.operation === 'CREATE' &&
  !req.subresource &&
  req.resource.group === '' &&
  req.resource.plural === 'pods';

/** utilerrors.NewAggregate(errs).Error(): one message as is, several as `[a, b]`. */
export const aggregateMessages = (messages: string[]): string =>
  messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;

// Names of environments and of their Kubernetes objects. Promises:
// - every name is a valid DNS-1123 label (lowercase a-z0-9 and '-', starts
//   with a letter, at most 63 characters), usable as an object name, a label
//   value and a host name;
// - names never collide: environment ids are 80 random bits, user ids are
//   unique already, and an object name is its id plus a fixed suffix;
// - names are never derived from user input (emails, display names), only
//   from ids Lablease generated itself.
// A volume's name is computed ONCE, when the environment is created, and
// stored with it: later changes to these rules must never orphan a user's data.
import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 'e' + 16 base32 characters (80 random bits): a DNS label that starts with a letter. */
export function newEnvironmentId(random: (n: number) => Uint8Array = randomBytes): string {
  const bytes = random(10);
  let bits = 0;
  let value = 0;
  let out = 'e';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

const USER_ID = /^[0-9a-f]{32}$/;
/** 'e' + 16 base32 characters: what newEnvironmentId makes. */
export const ENVIRONMENT_ID = /^e[a-z2-7]{16}$/;

function assertUserId(userId: string) {
  if (!USER_ID.test(userId)) throw new TypeError(`not a user id: ${JSON.stringify(userId)}`);
}
function assertEnvironmentId(envId: string) {
  if (!ENVIRONMENT_ID.test(envId))
    throw new TypeError(`not an environment id: ${JSON.stringify(envId)}`);
}

/** The user's namespace: 'lab-' + 32 hex = 36 characters. */
export function namespaceFor(userId: string): string {
  assertUserId(userId);
  return `lab-${userId}`;
}

/** Names of an environment's compute objects (all in the owner's namespace). */
export interface ObjectNames {
  deployment: string;
  service: string;
  networkPolicy: string;
  /** The route objects (HTTPRoute and its SecurityPolicy, or Ingress). */
  route: string;
  /** The Secret holding the environment's activity token, mounted into its pod. */
  activitySecret: string;
  /** The pod's container, named for what it is. */
  container: string;
}

export function objectNames(envId: string): ObjectNames {
  assertEnvironmentId(envId);
  return {
    deployment: envId,
    service: envId,
    networkPolicy: envId,
    route: envId,
    activitySecret: `${envId}-activity`,
    container: 'workspace',
  };
}

/** The workspace volume's name. Call once at creation and store it in spec.volume.name. */
export function volumeNameFor(envId: string): string {
  assertEnvironmentId(envId);
  return `${envId}-workspace`;
}

/** Names of the per-user namespace scaffold, fixed. */
export const scaffoldNames = {
  resourceQuota: 'lablease-quota',
  limitRange: 'lablease-limits',
  denyAll: 'lablease-default-deny',
  serviceAccount: 'lablease-workspace',
} as const;

/** A DNS-1123 label: what every name above is. */
export const isDns1123Label = (s: string): boolean =>
  s.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(s);

// EKS access from Lambda without the AWS CLI: the bearer token `aws eks
// get-token` prints, made in-process, and the cluster's endpoint and CA from
// DescribeCluster. The token is `k8s-aws-v1.` + base64url (no padding) of a
// presigned STS GetCallerIdentity URL whose signature covers the header
// `x-k8s-aws-id: <cluster>` (so it is good for that cluster only). EKS accepts
// it for 15 minutes from its X-Amz-Date (X-Amz-Expires stays 60, as
// aws-iam-authenticator expects); we renew after 10.
import { createHash, createHmac } from 'node:crypto';
import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export const TOKEN_PREFIX = 'k8s-aws-v1.';
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** How long we use a token: EKS accepts it for 15 minutes; leave margin for clocks and slow calls. */
export const TOKEN_REUSE_MS = 10 * 60_000;

/** SHA-256 (and HMAC-SHA-256 with a secret) over node:crypto, in the shape SigV4 wants. */
class Sha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not reusable');
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}

/** One token, as `aws eks get-token --cluster-name <clusterName>` makes it. */
export async function eksToken(opts: EksTokenOptions): Promise<{ token: string; signedAt: Date }> {
  const signedAt = (opts.now ?? (() => new Date()))();
  const hostname = `sts.${opts.region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 'sts',
    region: opts.region,
    credentials: opts.credentials,
    sha256: Sha256,
  });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: opts.clusterName },
    },
    { expiresIn: 60, signingDate: signedAt },
  );
  const query = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(v))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return { token: TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'), signedAt };
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A token per cluster, made once and reused for TOKEN_REUSE_MS (concurrent callers share one signing). */
export class EksTokenSource {
  private current: Promise<{ token: string; signedAt: Date }> | undefined;
  constructor(private readonly opts: EksTokenOptions) {}

  async token(): Promise<string> {
    const now = (this.opts.now ?? (() => new Date()))().getTime();
    if (this.current) {
      const held = await this.current.catch(() => undefined);
      if (held && now - held.signedAt.getTime() < TOKEN_REUSE_MS) return held.token;
    }
    this.current = eksToken(this.opts);
    return (await this.current).token;
  }
}

export interface EksCluster {
  endpoint: string;
  /** base64 PEM, as kubeconfig's certificate-authority-data */
  caData: string;
}

const clusters = new Map<string, Promise<EksCluster>>();

/** The cluster's endpoint and CA, described once per process (they do not change under a running cluster). */
export function describeEksCluster(eks: EKSClient, name: string): Promise<EksCluster> {
  let found = clusters.get(name);
  if (!found) {
    found = eks.send(new DescribeClusterCommand({ name })).then(({ cluster }) => {
      const endpoint = cluster?.endpoint;
      const caData = cluster?.certificateAuthority?.data;
      if (!endpoint || !caData)
        throw new Error(
          `EKS cluster ${name} has no endpoint or CA yet (status ${cluster?.status})`,
        );
      return { endpoint, caData };
    });
    found.catch(() => clusters.delete(name)); // a failure is not cached
    clusters.set(name, found);
  }
  return found;
}

/** Test hook: forget described clusters. */
export function forgetEksClusters(): void {
  clusters.clear();
}

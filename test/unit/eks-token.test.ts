// The EKS bearer token against the format aws-iam-authenticator (the EKS
// authenticator) accepts: `k8s-aws-v1.` + unpadded base64url of a presigned
// STS GetCallerIdentity URL, host sts.<region>.amazonaws.com, only the query
// parameters it allows, X-Amz-Expires=60, x-k8s-aws-id among the signed
// headers — and a SigV4 signature recomputed here independently (node:crypto)
// with fixed credentials and a fixed clock.
import { createHash, createHmac } from 'node:crypto';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeEksCluster,
  EksTokenSource,
  eksToken,
  forgetEksClusters,
  TOKEN_PREFIX,
} from '../../core/cluster/eks-token.js';
import { loadClusterKubeConfig, loadKubeConfig } from '../../core/cluster/kubeconfig.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const at = new Date('2026-01-02T03:04:05Z');
const opts = { clusterName: 'research', region: 'eu-west-1', credentials, now: () => at };

// aws-iam-authenticator's pkg/token: the parameters a token's URL may carry (lowercased).
const ALLOWED = [
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
];

function decode(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  const body = token.slice(TOKEN_PREFIX.length);
  expect(body).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding
  return new URL(Buffer.from(body, 'base64url').toString('utf8'));
}

const enc = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** SigV4 query-string signature, written from AWS's specification, for one clusterName header. */
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const params = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature');
  const query = params
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    'GET',
    '/',
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha256(''),
  ].join('\n');
  const date = url.searchParams.get('X-Amz-Date')!;
  const scope = `${date.slice(0, 8)}/eu-west-1/sts/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${secret}`, date.slice(0, 8));
  for (const part of ['eu-west-1', 'sts', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('EKS token', () => {
  it('is a presigned STS GetCallerIdentity URL in the aws-iam-authenticator format', async () => {
    const { token } = await eksToken(opts);
    const url = decode(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260102/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20260102T030405Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')!.split(';')).toContain('x-k8s-aws-id');
    for (const key of q.keys()) expect(ALLOWED).toContain(key.toLowerCase());
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('carries a SigV4 signature that verifies, and binds the cluster name', async () => {
    const url = decode((await eksToken(opts)).token);
    const signature = url.searchParams.get('X-Amz-Signature');
    expect(signature).toBe(expectedSignature(url, 'research', credentials.secretAccessKey));
    // The same URL presented for another cluster does not verify: the header is signed.
    expect(signature).not.toBe(expectedSignature(url, 'other', credentials.secretAccessKey));
    expect(signature).not.toBe(expectedSignature(url, 'research', 'another-secret'));
  });

  it('passes temporary credentials as X-Amz-Security-Token (Lambda roles have them)', async () => {
    const url = decode(
      (
        await eksToken({
          ...opts,
          credentials: { ...credentials, sessionToken: 'SESSION/TOKEN+1=' },
        })
      ).token,
    );
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('SESSION/TOKEN+1=');
  });

  it('is reused for 10 minutes, then renewed with a new X-Amz-Date', async () => {
    let now = at.getTime();
    const source = new EksTokenSource({ ...opts, now: () => new Date(now) });
    const first = await source.token();
    now += 9 * 60_000 + 59_000;
    expect(await source.token()).toBe(first);
    now += 1_000;
    const renewed = await source.token();
    expect(renewed).not.toBe(first);
    expect(decode(renewed).searchParams.get('X-Amz-Date')).toBe('20260102T031405Z');
  });
});

describe('EKS cluster access', () => {
  const eks = mockClient(EKSClient);
  afterEach(() => {
    eks.reset();
    forgetEksClusters();
  });
  const described = {
    cluster: {
      name: 'research',
      status: 'ACTIVE' as const,
      endpoint: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      certificateAuthority: {
        data: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64'),
      },
    },
  };

  it('describes the cluster once per process, and retries after a failure', async () => {
    const client = new EKSClient({ region: 'eu-west-1', credentials });
    eks.on(DescribeClusterCommand).rejectsOnce(new Error('throttled')).resolves(described);
    await expect(describeEksCluster(client, 'research')).rejects.toThrow('throttled');
    const a = await describeEksCluster(client, 'research');
    const b = await describeEksCluster(client, 'research');
    expect(a).toEqual({
      endpoint: described.cluster.endpoint,
      caData: described.cluster.certificateAuthority.data,
    });
    expect(b).toBe(a);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(2);
    expect(eks.commandCalls(DescribeClusterCommand)[1]!.args[0].input).toEqual({
      name: 'research',
    });
  });

  it('gives the workers a kubeconfig for the endpoint and CA, signing each request with a token', async () => {
    eks.on(DescribeClusterCommand).resolves(described);
    const client = new EKSClient({ region: 'eu-west-1', credentials });
    const kc = await loadClusterKubeConfig(
      {
        region: 'eu-west-1',
        cluster: {
          kind: 'eks',
          eksClusterName: 'research',
          kubeconfig: undefined,
          server: undefined,
        },
      },
      { eks: client, now: () => at },
    );
    expect(kc.getCurrentCluster()).toMatchObject({
      server: described.cluster.endpoint,
      caData: described.cluster.certificateAuthority.data,
      skipTLSVerify: false,
    });
    const request: { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(request);
    const bearer = request.headers?.Authorization ?? '';
    expect(bearer.startsWith(`Bearer ${TOKEN_PREFIX}`)).toBe(true);
    const url = decode(bearer.slice('Bearer '.length));
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'research', credentials.secretAccessKey),
    );
  });

  it('refuses EKS without a cluster name', async () => {
    await expect(
      loadClusterKubeConfig({
        region: 'eu-west-1',
        cluster: { kind: 'eks', kubeconfig: undefined, server: undefined },
      }),
    ).rejects.toThrow(/EKS_CLUSTER_NAME is required/);
  });
});

describe('kubeconfig from a secret (clusters that are not EKS)', () => {
  it('loads the kubeconfig text of KUBECONFIG_DATA, in preference to a file', () => {
    const kubeconfigData = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster: { server: 'https://k8s.lab.example:6443' } }],
      users: [{ name: 'lablease', user: { token: 'abc' } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'lablease' } }],
      'current-context': 'lab',
    });
    const kc = loadKubeConfig({
      cluster: {
        kind: 'kubeconfig',
        kubeconfigData,
        kubeconfig: '/nonexistent',
        server: undefined,
      },
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://k8s.lab.example:6443');
    expect(kc.getCurrentUser()?.token).toBe('abc');
  });
});

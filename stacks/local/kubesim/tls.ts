// A throwaway self-signed certificate for 127.0.0.1/localhost, made at start.
// kubesim must serve HTTPS because kubectl never sends a bearer token over
// plain HTTP (kubernetes/kubectl#744); the kubeconfig carries this
// certificate as the cluster's CA. Node has no X.509 builder, so this file
// encodes the few DER structures a certificate needs and signs with
// node:crypto — no dependency, and no private key ever written to disk.

import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const int = (b: Buffer) =>
  tlv(0x02, b[0] !== undefined && b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number) as number[];
  const out = [40 * (a as number) + (b as number)];
  for (const n of rest) {
    const parts: number[] = [];
    let v = n;
    do {
      parts.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < parts.length - 1; i++) parts[i] = (parts[i] as number) | 0x80;
    out.push(...parts);
  }
  return tlv(0x06, Buffer.from(out));
};
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const explicit = (n: number, c: Buffer) => tlv(0xa0 + n, c);
/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
const time = (d: Date) => {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
};

export interface SelfSignedCert {
  certPem: string;
  keyPem: string;
}

export function selfSignedCert(commonName = 'kubesim', now = new Date()): SelfSignedCert {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const ecdsaSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
  const san = seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])));
  const extensions = seq(
    seq(oid('2.5.29.17'), octets(san)),
    seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
  );
  // A positive INTEGER in minimal DER: the first byte neither 0 (OpenSSL refuses
  // the padding: 1 start in 256 failed before) nor ≥ 0x80 (it would read as negative).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(serial),
    ecdsaSha256,
    name,
    seq(
      time(new Date(now.getTime() - 3600_000)),
      time(new Date(now.getTime() + 10 * 365 * 86400_000)),
    ),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey as KeyObject);
  const der = seq(tbs, ecdsaSha256, bits(signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

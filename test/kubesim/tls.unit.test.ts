// kubesim's certificate is hand-encoded DER: every one it makes must parse,
// whatever random serial it drew (a zero first byte once broke 1 start in 256).
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../stacks/local/kubesim/tls.js';

describe('selfSignedCert', () => {
  it('makes certificates OpenSSL parses, for localhost and 127.0.0.1, signed by their own key', () => {
    for (let i = 0; i < 2000; i++) {
      const { certPem } = selfSignedCert('kubesim');
      const cert = new X509Certificate(certPem);
      expect(cert.checkHost('localhost')).toBe('localhost');
      expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(cert.verify(cert.publicKey)).toBe(true);
      expect(cert.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    }
  });
});

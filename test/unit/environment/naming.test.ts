import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvironmentId } from '../../../core/environment/model.js';
import {
  isDns1123Label,
  namespaceFor,
  newEnvironmentId,
  objectNames,
  scaffoldNames,
  volumeNameFor,
} from '../../../core/environment/naming.js';

const userIds = fc.stringMatching(/^[0-9a-f]{32}$/);
const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 });
const envIds = bytes.map((b) => newEnvironmentId(() => b));

describe('naming', () => {
  it('environment ids are DNS labels starting with a letter, 17 characters, valid ids', () => {
    fc.assert(
      fc.property(envIds, (id) => {
        expect(id).toMatch(/^e[a-z2-7]{16}$/);
        expect(isDns1123Label(id)).toBe(true);
        expect(EnvironmentId.safeParse(id).success).toBe(true);
      }),
    );
  });

  it('distinct random bytes give distinct ids (the encoding is injective)', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const same = Buffer.from(a).equals(Buffer.from(b));
        expect(newEnvironmentId(() => a) === newEnvironmentId(() => b)).toBe(same);
      }),
    );
  });

  it('draws fresh ids from the system random source', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newEnvironmentId()));
    expect(ids.size).toBe(1000);
  });

  it('every derived name is a DNS label, and different environments never share one', () => {
    fc.assert(
      fc.property(userIds, envIds, envIds, (user, a, b) => {
        const names = [
          namespaceFor(user),
          ...Object.values(objectNames(a)),
          volumeNameFor(a),
          ...Object.values(scaffoldNames),
        ];
        for (const n of names) expect(isDns1123Label(n), n).toBe(true);
        if (a !== b) {
          expect(objectNames(a).deployment).not.toBe(objectNames(b).deployment);
          expect(volumeNameFor(a)).not.toBe(volumeNameFor(b));
        }
      }),
    );
  });

  it('namespaces are lab-<userId>', () => {
    expect(namespaceFor('0123456789abcdef0123456789abcdef')).toBe(
      'lab-0123456789abcdef0123456789abcdef',
    );
  });

  it('refuses anything that is not an id it generated (emails, display names, traversal)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^[0-9a-f]{32}$/.test(s)),
        (s) => {
          expect(() => namespaceFor(s)).toThrow(TypeError);
        },
      ),
    );
    for (const bad of ['alice@example.com', 'My Env', '../x', 'EABCDEFGHIJKLMNOP', 'e1'])
      expect(() => volumeNameFor(bad)).toThrow(TypeError);
  });

  it('keeps the volume name rule stable (stored names must keep matching old data)', () => {
    expect(volumeNameFor('eabcdefghijklmnop')).toBe('eabcdefghijklmnop-workspace');
  });
});

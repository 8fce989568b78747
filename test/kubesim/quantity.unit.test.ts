import { describe, expect, it } from 'vitest';
import {
  addLists,
  canonical,
  formatQuantity,
  parseQuantity,
  parseResourceList,
  prettyPrint,
} from '../../stacks/local/kubesim/admission/quantity.js';

describe('quantities', () => {
  it('parses decimal, binary, fractional and exponent forms into milli-units', () => {
    expect(parseQuantity('500m').milli).toBe(500n);
    expect(parseQuantity('0.5').milli).toBe(500n);
    expect(parseQuantity('2').milli).toBe(2000n);
    expect(parseQuantity('1Gi').milli).toBe(1024n ** 3n * 1000n);
    expect(parseQuantity('1e3').milli).toBe(1_000_000n);
    expect(parseQuantity('2k').milli).toBe(2_000_000n);
    expect(parseQuantity('100n').milli).toBe(1n); // rounds up, like MilliValue()
    expect(() => parseQuantity('1.2.3')).toThrow();
  });

  it('prints the canonical form the API server uses in messages', () => {
    expect(canonical('0.5')).toBe('500m');
    expect(canonical('1000m')).toBe('1');
    expect(canonical('1500m')).toBe('1500m');
    expect(canonical('1024Mi')).toBe('1Gi');
    expect(canonical('1.5Gi')).toBe('1536Mi');
    expect(canonical('1000000')).toBe('1M');
    expect(canonical('512')).toBe('512');
    expect(formatQuantity({ milli: 0n, format: 'BinarySI' })).toBe('0');
  });

  it('adds lists keeping the left format and pretty-prints sorted', () => {
    const sum = addLists(
      parseResourceList({ 'limits.cpu': '500m', 'limits.memory': '1Gi' }),
      parseResourceList({ 'limits.cpu': '0.5', pods: '1' }),
    );
    expect(prettyPrint(sum)).toBe('limits.cpu=1,limits.memory=1Gi,pods=1');
  });
});

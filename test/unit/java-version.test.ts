import { describe, expect, it } from 'vitest';
import { javaMajorVersion } from '../../stacks/local/dynamodb-jar.js';

describe('javaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_402"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
    ['command not found', undefined],
  ])('reads %s', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import { EXECUTION_NAME_MAX, executionName } from './execution-name.ts';

const VALID = /^[A-Za-z0-9_-]{1,80}$/;

describe('executionName', () => {
  it('keeps a name that is already valid', () => {
    expect(executionName('onboard-ca-2025_01')).toBe('onboard-ca-2025_01');
  });

  it('replaces invalid characters and appends a hash of the original', () => {
    expect(executionName('deploy:sha256:abc')).toMatch(/^deploy-sha256-abc-[0-9a-f]{10}$/);
  });

  it('truncates long names to 80 characters, keeping them distinct by the hash', () => {
    const long = 'a'.repeat(100);
    expect(executionName(long)).toHaveLength(EXECUTION_NAME_MAX);
    expect(executionName(long)).not.toBe(executionName(`${long}b`));
  });

  it('always yields a valid name, the same for the same input and different for different inputs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (a, b) => {
        expect(executionName(a)).toMatch(VALID);
        expect(executionName(a)).toBe(executionName(a));
        if (a !== b) expect(executionName(a)).not.toBe(executionName(b));
      }),
      { numRuns: 300 },
    );
  });
});

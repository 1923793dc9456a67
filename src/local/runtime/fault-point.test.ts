import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultPointFrom, parseFaultSpec } from './fault-point.ts';

describe('faultPointFrom', () => {
  it('kills once, at the armed boundary only, and disarms itself first', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fault-')), 'fault');
    let kills = 0;
    const fault = faultPointFrom(file, () => kills++)!;
    writeFileSync(file, 'ensureService+');

    fault.before('ensureService');
    fault.after('ensureTable');
    expect(kills).toBe(0);
    fault.after('ensureService');
    fault.after('ensureService');

    expect(kills).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it('does nothing without a file and refuses a spec it cannot read', () => {
    expect(faultPointFrom(undefined)).toBeUndefined();
    expect(() => parseFaultSpec('ensure service')).toThrow(/must be <action> or <action>\+/);
  });
});

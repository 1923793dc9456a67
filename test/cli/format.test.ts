import { describe, expect, it } from '@jest/globals';
import { ago, colors, duration, fields, shortDigest, statusText, stripAnsi, table, visibleWidth } from '../../src/cli/format.ts';

const on = colors(true);
const off = colors(false);
const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const CYAN = '\x1b[36m';

describe('statusText', () => {
  it('colours by meaning: ACTIVE green, FAILED red, DEGRADED yellow, transitional cyan', () => {
    expect(statusText('ACTIVE', on)).toBe(`${GREEN}ACTIVE\x1b[39m`);
    expect(statusText('FAILED', on).startsWith(RED)).toBe(true);
    expect(statusText('DEGRADED', on).startsWith(YELLOW)).toBe(true);
    for (const status of ['PROVISIONING', 'DEPLOYING', 'DEPROVISIONING', 'IN_PROGRESS']) expect(statusText(status, on).startsWith(CYAN)).toBe(true);
  });

  it('always carries the status as text, so nothing depends on seeing colour', () => {
    for (const status of ['ACTIVE', 'FAILED', 'DEGRADED', 'PROVISIONING', 'DELETED']) {
      expect(stripAnsi(statusText(status, on))).toBe(status);
      expect(statusText(status, off)).toBe(status);
    }
  });

  it('shows a record the control plane has not picked up yet as NEW', () => {
    expect(statusText(null, off)).toBe('NEW');
  });
});

describe('table', () => {
  it('aligns columns on the visible width, ignoring colour codes', () => {
    const rows = [
      { id: 'ca', status: statusText('ACTIVE', on), n: '2/2' },
      { id: 'new-york', status: statusText('PROVISIONING', on), n: '0/2' },
    ];
    const lines = table(
      rows,
      [
        { header: 'TENANT', value: (r) => r.id },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'HEALTHY', value: (r) => r.n, align: 'right' },
      ],
      on,
    ).map(stripAnsi);
    expect(lines).toEqual(['TENANT    STATUS        HEALTHY', 'ca        ACTIVE            2/2', 'new-york  PROVISIONING      0/2']);
  });

  it('shows "-" for an empty cell and leaves no trailing spaces', () => {
    const lines = table(
      [
        { a: 'x', b: '' },
        { a: 'longer', b: 'y' },
      ],
      [
        { header: 'A', value: (r) => r.a },
        { header: 'B', value: (r) => r.b },
      ],
      off,
    );
    expect(lines).toEqual(['A       B', 'x       -', 'longer  y']);
  });
});

describe('fields', () => {
  it('aligns labels and leaves out what is not known', () => {
    expect(
      fields(
        [
          ['tenant', 'ca'],
          ['endpoint', undefined],
          ['status', 'ACTIVE'],
        ],
        off,
      ),
    ).toEqual(['tenant  ca', 'status  ACTIVE']);
  });
});

describe('times', () => {
  const now = new Date('2026-01-31T12:00:00Z');

  it('says how long ago, in the largest unit', () => {
    expect(ago('2026-01-31T11:59:58Z', now)).toBe('just now');
    expect(ago('2026-01-31T11:59:30Z', now)).toBe('30s ago');
    expect(ago('2026-01-31T11:56:55Z', now)).toBe('3m ago');
    expect(ago('2026-01-31T09:30:00Z', now)).toBe('2h ago');
    expect(ago('2026-01-27T12:00:00Z', now)).toBe('4d ago');
    expect(ago(null, now)).toBe('-');
  });

  it('treats a server clock slightly ahead as just now', () => {
    expect(ago('2026-01-31T12:00:02Z', now)).toBe('just now');
  });

  it('gives durations in at most two units', () => {
    expect(duration(999)).toBe('0s');
    expect(duration(42_000)).toBe('42s');
    expect(duration(185_000)).toBe('3m 5s');
    expect(duration(7_800_000)).toBe('2h 10m');
    expect(duration(97_200_000)).toBe('1d 3h');
  });
});

describe('shortDigest and visibleWidth', () => {
  it('quotes a digest by its first 12 hex digits', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
    expect(shortDigest(null)).toBe('');
  });

  it('counts characters, not escape codes or UTF-16 units', () => {
    expect(visibleWidth(`${GREEN}✓\x1b[39m ok`)).toBe(4);
  });
});

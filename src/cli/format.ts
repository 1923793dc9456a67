/**
 * How the CLI shows things to a person: colours (only where they help, and
 * never instead of the text), tables aligned on the visible width, and times
 * as "3m ago". Everything here is a pure function of its input.
 */
import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

export function colors(enabled: boolean): Colors {
  return createColors(enabled);
}

/** Statuses that settle nothing: a workflow is (or should be) working on them. */
const TRANSITIONAL = new Set(['PROVISIONING', 'DEPLOYING', 'DEPROVISIONING', 'IN_PROGRESS', 'PENDING']);
const GOOD = new Set(['ACTIVE', 'SUCCEEDED']);
const BAD = new Set(['FAILED', 'ROLLED_BACK']);
const WARN = new Set(['DEGRADED', 'SUPERSEDED', 'SKIPPED']);

/**
 * A tenant, deployment or per-tenant outcome status, coloured by what it means:
 * green done, red failed, yellow needs a look, cyan on its way. `null` is a
 * record the control plane has not picked up yet.
 */
export function statusText(status: string | null, c: Colors): string {
  if (status === null) return c.dim('NEW');
  if (GOOD.has(status)) return c.green(status);
  if (BAD.has(status)) return c.red(status);
  if (WARN.has(status)) return c.yellow(status);
  if (TRANSITIONAL.has(status)) return c.cyan(status);
  return status;
}

// eslint-disable-next-line no-control-regex -- matching the terminal's escape sequences is the point
const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** The width a string takes on a terminal: escape sequences take none. */
export function visibleWidth(text: string): number {
  return [...stripAnsi(text)].length;
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: 'left' | 'right';
}

/**
 * Rows under a header, columns two spaces apart, each as wide as its widest
 * cell; the last column is not padded (no trailing spaces). Empty cells show
 * "-" so that columns stay readable by eye and by `awk`.
 */
export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[], c: Colors): string[] {
  const cells = rows.map((row) => columns.map((column) => column.value(row) || '-'));
  const widths = columns.map((column, i) => Math.max(visibleWidth(column.header), ...cells.map((line) => visibleWidth(line[i] ?? ''))));
  const render = (line: readonly string[]) =>
    line.map((cell, i) => (i === line.length - 1 && columns[i]?.align !== 'right' ? cell : pad(cell, widths[i] ?? 0, columns[i]?.align ?? 'left'))).join('  ');
  return [c.bold(render(columns.map((column) => column.header))), ...cells.map(render)];
}

/** "label   value" lines, labels aligned; entries whose value is undefined are left out. */
export function fields(entries: readonly [label: string, value: string | undefined][], c: Colors): string[] {
  const shown = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${c.dim(label.padEnd(width))}  ${value}`);
}

/** 42s, 3m 5s, 2h 10m, 4d 3h: two units at most, enough to judge by. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** "just now", "3m ago": how long ago an ISO time was; "-" when unknown. */
export function ago(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const ms = now.getTime() - then;
  // A server clock slightly ahead of ours is still "just now", not "in 2s".
  if (ms < 5_000) return 'just now';
  return `${duration(ms).split(' ')[0]} ago`;
}

/** The 12 hex digits people quote from a digest (as `docker images` shows). */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

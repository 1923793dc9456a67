/**
 * The local runtime's one way to log: one JSON object per line on stderr, so
 * `npm start` output can be read by a person and filtered with `jq` alike.
 * Components take a LogFn so tests can capture what they report.
 */
export type LogFn = (entry: Record<string, unknown>) => void;

export const logJson: LogFn = (entry) => {
  console.error(JSON.stringify({ time: new Date().toISOString(), ...entry }));
};

/** The message of an unknown thrown value, for a log line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The same entries as lines for a person on a terminal: `12:04:05 INFO  task starting  service=humangov-ca zone=us-east-1a`,
 * the time in the viewer's zone, the level coloured when `color`, every other field as key=value.
 */
export function humanLog(write: (line: string) => void, color: boolean, now: () => Date = () => new Date()): LogFn {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[39m` : text);
  const levels: Record<string, number> = { ERROR: 31, WARN: 33, INFO: 36, DEBUG: 90 };
  return (entry) => {
    const { level = 'INFO', message = '', time: _time, ...fields } = entry;
    const at = now();
    const clock = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    const rest = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`)
      .join(' ');
    const name = String(level);
    write(`${paint(90, clock)} ${paint(levels[name] ?? 39, name.padEnd(5))} ${String(message)}${rest ? `  ${paint(90, rest)}` : ''}`);
  };
}

/** JSON lines when a program reads stderr (piped, or asked for with --json-logs), human lines on a terminal. */
export function logFor(options: { isTTY: boolean; jsonLogs: boolean; color: boolean; write: (line: string) => void }): LogFn {
  return options.jsonLogs || !options.isTTY ? logJson : humanLog(options.write, options.color);
}

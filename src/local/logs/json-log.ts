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

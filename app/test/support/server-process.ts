/** Runs the app as a real process (source or bundle) and watches its JSON log lines. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LogLine {
  readonly msg?: string;
  readonly [field: string]: unknown;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Resolves with the first log line matching, rejects if the process exits first. */
  waitForLog(matches: (line: LogLine) => boolean): Promise<LogLine>;
  /** The port from the "listening" line. */
  port(): Promise<number>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stderr: () => string;
  kill(): void;
}

export function startServerProcess(command: readonly string[], options: { cwd: string; env: Readonly<Record<string, string>> }): ServerProcess {
  const [executable = process.execPath, ...args] = command;
  const child = spawn(executable, args, { cwd: options.cwd, env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters = new Set<{ matches: (line: LogLine) => boolean; resolve: (line: LogLine) => void; reject: (error: Error) => void }>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const waiter of waiters) waiter.reject(new Error(`server exited (${code ?? signal}) before the expected log line; stderr: ${stderr}`));
      waiters.clear();
      resolve({ code, signal });
    });
  });

  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text };
      }
      lines.push(line);
      for (const waiter of waiters) {
        if (waiter.matches(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    });
  }

  const waitForLog = (matches: (line: LogLine) => boolean) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find(matches);
      if (seen) return resolve(seen);
      if (child.exitCode !== null) return reject(new Error(`server already exited; stderr: ${stderr}`));
      waiters.add({ matches, resolve, reject });
    });

  return {
    child,
    waitForLog,
    port: async () => Number((await waitForLog((line) => line.msg === 'listening')).port),
    exit,
    stderr: () => stderr,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Resolves with how long the process took to exit after `since`, or rejects after `limitMs`. */
export async function exitWithin(server: ServerProcess, limitMs: number): Promise<{ code: number | null; elapsedMs: number }> {
  const since = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`server did not exit within ${limitMs} ms`)), limitMs);
  });
  try {
    const { code } = await Promise.race([server.exit, deadline]);
    return { code, elapsedMs: Date.now() - since };
  } finally {
    clearTimeout(timer);
  }
}

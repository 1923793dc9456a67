import { spawn } from 'node:child_process';
import { delimiter, dirname } from 'node:path';

export interface NpmRun {
  code: number | null;
  stdout: string;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
  timedOut: boolean;
}

/**
 * The environment npm runs in: this Node first on PATH (so scripts run on Node 24,
 * not an older system node), and without the npm_* variables of an enclosing
 * `npm run`/`npm start`, which would point npm at the control plane's package
 * instead of the context's.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_') && name !== 'INIT_CWD'));
  env.PATH = [dirname(process.execPath), process.env.PATH ?? ''].filter(Boolean).join(delimiter);
  return env;
}

/** Runs `npm <args>` in `cwd`, collecting its output; never throws for a non-zero exit (the caller decides). */
export function runNpm(args: string[], cwd: string, timeoutMs: number): Promise<NpmRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { cwd, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output, timedOut });
    });
  });
}

/** The last `count` non-empty lines of `text`, for an error message. */
export function lastLines(text: string, count = 20): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

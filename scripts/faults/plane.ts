// The local control plane as the fault suite drives it: `humangov up` in a process of its own
// (what `npm start` runs), on free ports and a home of its own, killed with SIGKILL and started again.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Ports {
  api: number;
  lb: number;
  dynamodb: number;
  s3: number;
}

export async function freePorts(): Promise<Ports> {
  return { api: await freePort(), lb: await freePort(), dynamodb: await freePort(), s3: await freePort() };
}

export class Plane {
  readonly home: string;
  readonly ports: Ports;
  readonly faultFile: string;
  #child: ChildProcess | undefined;
  #exited: Promise<number | null> | undefined;
  starts = 0;

  constructor(home: string, ports: Ports) {
    this.home = home;
    this.ports = ports;
    this.faultFile = join(home, 'fault');
  }

  get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HUMANGOV_HOME: this.home,
      HUMANGOV_API_PORT: String(this.ports.api),
      HUMANGOV_LB_PORT: String(this.ports.lb),
      HUMANGOV_DYNAMODB_PORT: String(this.ports.dynamodb),
      HUMANGOV_S3_PORT: String(this.ports.s3),
      HUMANGOV_TASK_RUNTIME: 'process',
      HUMANGOV_FAULT_FILE: this.faultFile,
      HUMANGOV_RECONCILE_INTERVAL_MS: '2000',
    };
  }

  get api(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  /** Starts `humangov up` and resolves once its status API answers. */
  async start(): Promise<void> {
    const log = openSync(join(this.home, `up-${++this.starts}.log`), 'a');
    const child = spawn(process.execPath, [join(ROOT, 'bin/humangov.ts'), 'up'], { cwd: ROOT, env: this.env, stdio: ['ignore', log, log] });
    closeSync(log);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code)));
    for (const deadline = Date.now() + 120_000; ;) {
      const exited = await Promise.race([this.#exited, new Promise<'up'>((resolve) => setTimeout(() => resolve('up'), 200))]);
      if (exited !== 'up') throw new Error(`humangov up exited (${exited}) while starting; see ${this.home}/up-${this.starts}.log`);
      const ok = await fetch(`${this.api}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`humangov up did not answer within 120 s; see ${this.home}/up-${this.starts}.log`);
    }
  }

  /** Arms a kill at a step boundary (see src/local/runtime/fault-point.ts). */
  arm(spec: string): void {
    writeFileSync(this.faultFile, spec);
  }

  disarm(): void {
    writeFileSync(this.faultFile, '');
  }

  /** Resolves with true when the process died of its fault (SIGKILL) within `ms`. */
  async killedWithin(ms: number): Promise<boolean> {
    const exited = await Promise.race([this.#exited!, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms))]);
    return exited === -9;
  }

  /** kill -9 of the control plane's process (its task processes are left, as a crash leaves them). */
  async kill(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGKILL');
    await this.#exited;
  }

  /** A clean stop (SIGTERM: tasks stopped, servers closed). */
  async stop(): Promise<void> {
    if (!this.#child || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGTERM');
    await this.#exited;
  }

  running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.api}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
}

import { request } from 'node:http';
import { matches, type CheckResult, type HealthCheckSettings, type Target, type TargetAddress } from './targets.ts';

/**
 * Health-checks targets the way an ALB does: one HTTP GET of `path` per interval
 * on a fresh connection closed after it, with the target's address as Host and
 * ELB-HealthChecker/2.0 as User-Agent; a status the matcher accepts, within the
 * timeout, passes; anything else fails, with the ALB's reason code.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html
 */
export class HealthChecker {
  readonly settings: HealthCheckSettings;
  readonly #onChange: (target: Target, previous: string) => void;
  readonly #timers = new Map<Target, NodeJS.Timeout>();

  constructor(settings: HealthCheckSettings, onChange: (target: Target, previous: string) => void = () => undefined) {
    this.settings = settings;
    this.#onChange = onChange;
  }

  /** Starts checking at once, then every interval, until `unwatch`. */
  watch(target: Target): void {
    if (this.#timers.has(target)) return;
    this.#schedule(target, 0);
  }

  unwatch(target: Target): void {
    clearTimeout(this.#timers.get(target));
    this.#timers.delete(target);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #schedule(target: Target, delayMs: number): void {
    const timer = setTimeout(() => void this.#check(target), delayMs);
    // Health checks alone must not keep a process alive that is otherwise done.
    timer.unref();
    this.#timers.set(target, timer);
  }

  async #check(target: Target): Promise<void> {
    const started = Date.now();
    const result = await probeTarget(target.address, this.settings.path, this.settings.timeoutMs, this.settings.matcher);
    if (!this.#timers.has(target)) return; // unwatched while the check ran
    const previous = target.state;
    if (target.record(result, this.settings)) this.#onChange(target, previous);
    this.#schedule(target, Math.max(0, this.settings.intervalMs - (Date.now() - started)));
  }
}

/** One health check. Never rejects: every way of failing is a result with the ALB's reason code. */
export function probeTarget(address: TargetAddress, path: string, timeoutMs: number, matcher = '200'): Promise<CheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request(
      {
        host: address.host,
        port: address.port,
        path,
        method: 'GET',
        agent: false,
        headers: { host: `${address.host}:${address.port}`, 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        settle(
          matches(matcher, status) ? { ok: true } : { ok: false, reason: `Target.ResponseCodeMismatch: health checks failed with these codes: [${status}]` },
        );
        res.on('error', () => undefined);
      },
    );
    req.setTimeout(timeoutMs, () => {
      settle({ ok: false, reason: `Target.Timeout: request timed out after ${timeoutMs} ms` });
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      settle({ ok: false, reason: `Target.FailedHealthChecks: ${error.code ?? error.message} on ${address.host}:${address.port}${path}` });
    });
    req.end();
  });
}

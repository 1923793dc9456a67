import { describe, expect, it } from '@jest/globals';
import { ContainerHealth, START_INTERVAL_MS } from './container-health.ts';

// The app image's HEALTHCHECK: --interval=15s --timeout=5s --start-period=10s --retries=3.
const check = { command: ['CMD', 'node', '-e', '...'], intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 };
const s = (seconds: number) => seconds * 1000;

describe('ContainerHealth (ECS container health check semantics)', () => {
  it('is UNKNOWN until the command first answers, and HEALTHY on its first pass', () => {
    const health = new ContainerHealth(check, 0);
    expect(health.status).toBe('UNKNOWN');
    expect(health.record({ passed: true }, s(1))).toBe('HEALTHY');
  });

  it('does not count failures during the start period before the first pass', () => {
    const health = new ContainerHealth(check, 0);
    for (let at = 1; at < 10; at += 1) expect(health.record({ passed: false, output: 'exit code 1' }, s(at))).toBe('UNKNOWN');
    expect(health.failingStreak).toBe(0);
  });

  it('turns UNHEALTHY after `retries` consecutive failures once the start period is over', () => {
    const health = new ContainerHealth(check, 0);
    expect(health.record({ passed: false }, s(10))).toBe('UNKNOWN');
    expect(health.record({ passed: false }, s(25))).toBe('UNKNOWN');
    expect(health.record({ passed: false, output: 'no answer within 5 s' }, s(40))).toBe('UNHEALTHY');
    expect(health.lastFailure).toBe('no answer within 5 s');
  });

  it('counts every failure after a pass within the start period, and a pass resets the count', () => {
    const health = new ContainerHealth(check, 0);
    health.record({ passed: true }, s(2));
    health.record({ passed: false }, s(3));
    health.record({ passed: false }, s(4));
    expect(health.record({ passed: true }, s(5))).toBe('HEALTHY');
    expect(health.failingStreak).toBe(0);
    health.record({ passed: false }, s(6));
    health.record({ passed: false }, s(7));
    expect(health.record({ passed: false }, s(8))).toBe('UNHEALTHY');
  });

  it('checks every second while starting, then once per interval', () => {
    const health = new ContainerHealth(check, 0);
    expect(health.nextDelayMs(0)).toBe(START_INTERVAL_MS);
    expect(health.nextDelayMs(s(9))).toBe(START_INTERVAL_MS);
    expect(health.nextDelayMs(s(11))).toBe(s(15));
    const started = new ContainerHealth(check, 0);
    started.record({ passed: true }, s(1));
    expect(started.nextDelayMs(s(1))).toBe(s(15));
  });
});

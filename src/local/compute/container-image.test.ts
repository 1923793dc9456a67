import { describe, expect, it } from '@jest/globals';
import { containerPort, ecsHealthCheckProblems, healthCheckOf, imageRecordFromInspect } from './container-image.ts';

const NS = 1e9;
const test = ['CMD', 'node', '-e', "fetch('http://127.0.0.1:8080/health')"];

describe('container image records', () => {
  it('reads the HEALTHCHECK where podman puts it (top level) and where docker does (Config)', () => {
    const check = { Test: test, Interval: 15 * NS, Timeout: 5 * NS, StartPeriod: 10 * NS, Retries: 3 };
    const expected = { command: test, intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 };
    expect(healthCheckOf({ Healthcheck: check })).toEqual(expected);
    expect(healthCheckOf({ Config: { Healthcheck: check } })).toEqual(expected);
  });

  it("fills what a HEALTHCHECK leaves out with Docker's defaults, and reads NONE or none as no check", () => {
    expect(healthCheckOf({ Healthcheck: { Test: ['CMD-SHELL', 'true'] } })).toEqual({
      command: ['CMD-SHELL', 'true'],
      intervalSeconds: 30,
      timeoutSeconds: 30,
      retries: 3,
      startPeriodSeconds: 0,
    });
    expect(healthCheckOf({ Healthcheck: { Test: ['NONE'] } })).toBeUndefined();
    expect(healthCheckOf({ Config: {} })).toBeUndefined();
  });

  it("names every value outside what ECS's HealthCheck accepts", () => {
    expect(ecsHealthCheckProblems({ command: test, intervalSeconds: 15, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 })).toEqual([]);
    expect(ecsHealthCheckProblems({ command: ['NODE', 'x'], intervalSeconds: 2, timeoutSeconds: 90, retries: 11, startPeriodSeconds: 301 })).toEqual([
      "--interval 2 s is outside ECS's 5-300 s",
      "--timeout 90 s is outside ECS's 2-60 s",
      "--retries 11 is outside ECS's 1-10",
      "--start-period 301 s is outside ECS's 0-300 s",
      'the command must start with CMD or CMD-SHELL, not NODE',
    ]);
  });

  it("records the engine's ID as a sha256 digest, the user, the stop signal and the ports", () => {
    const record = imageRecordFromInspect(
      { Id: 'be2b00881f6b1e0681a96984ec79b78a8106b618e3be6f47c977a5acf3691867', Size: 227_000_000, Config: { User: 'node', ExposedPorts: { '8080/tcp': {} } } },
      { engine: 'podman', dockerfile: '/repo/Dockerfile' },
    );
    expect(record).toMatchObject({
      kind: 'container',
      engine: 'podman',
      id: 'sha256:be2b00881f6b1e0681a96984ec79b78a8106b618e3be6f47c977a5acf3691867',
      user: 'node',
      stopSignal: 'SIGTERM',
      exposedPorts: ['8080/tcp'],
      sizeBytes: 227_000_000,
    });
    expect(record.healthCheck).toBeUndefined();
  });

  it("listens where the task's PORT says, else where the image EXPOSEs", () => {
    const record = imageRecordFromInspect({ Id: 'sha256:ab', Config: { ExposedPorts: { '3000/tcp': {} } } }, { engine: 'docker', dockerfile: 'D' });
    expect(containerPort(record, { PORT: '8080' })).toBe(8080);
    expect(containerPort(record, {})).toBe(3000);
    expect(containerPort({ ...record, exposedPorts: [] }, {})).toBe(8080);
  });
});

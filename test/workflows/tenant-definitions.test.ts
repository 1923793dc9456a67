import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { labelled } from '../support/labelled.ts';
import { STEP_ACTIONS } from '../support/step-actions.ts';
import { allStates, definitionPath, loadDefinition, type AslState } from '../../src/workflows/definitions.ts';

const TRANSIENT = [
  'TransientCloudError',
  'ConcurrentUpdateError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  BackoffRate: number;
  MaxAttempts: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

/** The longest a retrier waits in total before giving up (no jitter). */
function totalWaitSeconds(r: Retrier): number {
  let total = 0;
  for (let attempt = 0; attempt < r.MaxAttempts; attempt++) total += Math.min(r.IntervalSeconds * r.BackoffRate ** attempt, r.MaxDelaySeconds ?? Infinity);
  return total;
}

describe.each(['tenant-onboard', 'tenant-offboard'] as const)('%s definition', (workflow) => {
  it('has unique state names (JSON.parse would silently merge duplicates)', async () => {
    const text = await readFile(definitionPath(workflow), 'utf8');
    const definition = await loadDefinition(workflow);
    const names = [...allStates(definition)].map(([name]) => name);
    for (const name of names) labelled(name, () => expect(text.split(`"${name}": {`).length - 1).toBe(1));
  });

  it('calls only actions the functions have, with tenant and execution ids, retrying transient errors with jitter and catching the rest', async () => {
    const tasks = [...allStates(await loadDefinition(workflow))].filter(([, s]) => s.Type === 'Task') as [
      string,
      AslState & { Parameters: Record<string, unknown>; Retry: Retrier[]; Catch: { ErrorEquals: string[] }[] },
    ][];
    expect(tasks.length).toBeGreaterThan(10);
    for (const [name, state] of tasks) {
      labelled(name, () => expect(STEP_ACTIONS[state.Resource ?? '']).toContain(state.Parameters.action));
      labelled(name, () => expect(state.Parameters).toMatchObject({ 'tenantId.$': '$.tenantId', 'executionId.$': '$$.Execution.Name' }));
      const transient = state.Retry.find((r) => r.ErrorEquals.includes('TransientCloudError'));
      labelled(name, () => expect(transient?.ErrorEquals).toEqual(TRANSIENT));
      labelled(name, () =>
        expect(transient).toMatchObject({
          JitterStrategy: 'FULL',
          BackoffRate: expect.any(Number),
          MaxAttempts: expect.any(Number),
          IntervalSeconds: expect.any(Number),
        }),
      );
      labelled(name, () => expect(state.Catch.at(-1)?.ErrorEquals).toEqual(['States.ALL']));
    }
  });

  it("waits for another execution's lease for about an hour, not for ever", async () => {
    const lock = (await loadDefinition(workflow)).States.AcquireTenantLock?.Retry?.find((r) => r.ErrorEquals.includes('TenantLockedError')) as Retrier;
    expect(totalWaitSeconds(lock)).toBeGreaterThan(45 * 60);
    expect(totalWaitSeconds(lock)).toBeLessThan(75 * 60);
  });
});

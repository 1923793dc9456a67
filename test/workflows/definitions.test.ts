/**
 * The structure of all three state machines, and the gate that keeps the
 * deployed JSON the output of its source: statemachines/<name>.asl.json must
 * be exactly what statemachines/src/ renders (run `npm run build:asl`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { LAMBDA_SERVICE_ERRORS, render, TRANSIENT_ERRORS } from '../../statemachines/src/asl.ts';
import { MACHINES } from '../../statemachines/src/index.ts';
import { allStates, type AslDefinition, type AslState } from '../../src/workflows/definitions.ts';
import { labelled } from '../support/labelled.ts';
import { STEP_ACTIONS } from '../support/step-actions.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAMES = Object.keys(MACHINES) as (keyof typeof MACHINES)[];

async function checkedIn(name: string): Promise<string> {
  return readFile(join(ROOT, 'statemachines', `${name}.asl.json`), 'utf8');
}

/** The `name` of every error class the control plane defines (src/**): what its steps throw and Step Functions matches. */
async function ownErrorNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const files = (await readdir(join(ROOT, 'src'), { recursive: true })).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const text = await readFile(join(ROOT, 'src', file), 'utf8');
    for (const match of text.matchAll(/override name = '([A-Za-z]+)'/g)) names.add(match[1] as string);
  }
  return names;
}

type Task = Omit<AslState, 'Retry'> & {
  Resource?: string;
  Parameters: Record<string, unknown>;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[];
  Catch?: { ErrorEquals: string[] }[];
};

describe.each(NAMES)('%s', (name) => {
  it('is checked in exactly as statemachines/src/ renders it (npm run build:asl)', async () => {
    expect(await checkedIn(name)).toBe(render(MACHINES[name]));
  });

  it('has unique state names (JSON.parse would silently merge duplicates)', async () => {
    const text = await checkedIn(name);
    const definition = JSON.parse(text) as AslDefinition;
    for (const [state] of allStates(definition)) labelled(state, () => expect(text.split(`"${state}": {`).length - 1).toBe(1));
  });

  it('calls only actions its functions have, retrying every transient error with full jitter', async () => {
    const definition = JSON.parse(await checkedIn(name)) as AslDefinition;
    const tasks = [...allStates(definition)].filter(([, s]) => s.Type === 'Task') as unknown as unknown as [string, Task][];
    expect(tasks.length).toBeGreaterThan(5);
    for (const [state, task] of tasks) {
      labelled(state, () => expect(STEP_ACTIONS[task.Resource ?? '']).toContain(task.Parameters.action));
      const transient = task.Retry?.find((r) => r.ErrorEquals.includes('TransientCloudError'));
      labelled(state, () => expect(transient?.ErrorEquals).toEqual(expect.arrayContaining([...TRANSIENT_ERRORS])));
      labelled(state, () => expect(transient?.JitterStrategy).toBe('FULL'));
      if (task.Catch) labelled(state, () => expect(task.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']));
    }
  });

  it("names only the control plane's own errors, Step Functions' and the Lambda service's: never an SDK's", async () => {
    const own = await ownErrorNames();
    const definition = JSON.parse(await checkedIn(name)) as AslDefinition;
    for (const [state, s] of allStates(definition)) {
      const named = [...((s.Retry as { ErrorEquals: string[] }[] | undefined) ?? []), ...((s.Catch as { ErrorEquals: string[] }[] | undefined) ?? [])].flatMap(
        (r) => r.ErrorEquals,
      );
      for (const error of named) {
        const known = error.startsWith('States.') || (LAMBDA_SERVICE_ERRORS as readonly string[]).includes(error) || own.has(error);
        labelled(`${state}: ${error}`, () => expect(known).toBe(true));
      }
    }
  });
});

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { WorkflowName } from '../cloud/ports.ts';

export const WORKFLOWS: readonly WorkflowName[] = ['tenant-onboard', 'tenant-offboard', 'image-deploy'];

/** statemachines/<name>.asl.json: the very file serverless.yml deploys. */
export function definitionPath(workflow: WorkflowName): string {
  return fileURLToPath(new URL(`../../statemachines/${workflow}.asl.json`, import.meta.url));
}

export interface AslState {
  Type: string;
  Resource?: string;
  Seconds?: number;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number }[];
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  [key: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

/**
 * Task resources are written as `${SomethingFunctionArn}` placeholders that
 * CloudFormation fills in (DefinitionSubstitutions). This is the list of them.
 */
export const PLACEHOLDER = /^\$\{([A-Za-z0-9]+)\}$/;

export async function loadDefinition(workflow: WorkflowName): Promise<AslDefinition> {
  return JSON.parse(await readFile(definitionPath(workflow), 'utf8')) as AslDefinition;
}

/** Every state of a definition, nested Map and Parallel states included, with its name. */
export function* allStates(definition: AslDefinition): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter((d): d is AslDefinition => d !== undefined);
    for (const child of nested) yield* allStates(child);
  }
}

/** Replaces `${Name}` placeholders as CloudFormation's DefinitionSubstitutions would. */
export function substitute(definition: AslDefinition, values: Record<string, string>): AslDefinition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => values[name] ?? whole);
  return JSON.parse(text) as AslDefinition;
}

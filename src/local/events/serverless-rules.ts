import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';
import { EventRuleError } from './errors.ts';
import { validateInputTransformer, type TargetInput } from './input-transformer.ts';
import { validatePattern, type EventPattern } from './pattern.ts';
import { resolveValue, type VariableContext } from './serverless-vars.ts';

/** The project's serverless.yml: the one place the rules are written, for AWS and locally alike. */
export const SERVERLESS_FILE = fileURLToPath(new URL('../../../serverless.yml', import.meta.url));

export interface EventRuleTarget extends TargetInput {
  id: string;
  /** From the target's RetryPolicy (EventBridge defaults: 185 attempts, 24 hours). */
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

export interface EventRule {
  /** The resource's logical id in serverless.yml (what `onRule` takes). */
  id: string;
  name: string;
  pattern: EventPattern;
  enabled: boolean;
  targets: EventRuleTarget[];
}

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'FindInMap',
  'Base64',
  'Cidr',
  'ImportValue',
  'GetAZs',
  'Condition',
];

/** CloudFormation's short forms (`!Ref X`, `!GetAtt A.B`, `!Sub [...]`) read as their long forms, in each YAML node kind. */
const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  const scalar = (value: string) => (name === 'GetAtt' ? value.split(/\.(.*)/s, 2) : value);
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: scalar(value) }) } satisfies ScalarTag,
    { tag: `!${name}`, collection: 'seq', resolve: (value) => ({ [key]: value.toJSON() }) } satisfies CollectionTag,
    { tag: `!${name}`, collection: 'map', resolve: (value) => ({ [key]: value.toJSON() }) } satisfies CollectionTag,
  ];
});

export function parseServerlessYaml(text: string): unknown {
  return parse(text, { customTags: CLOUDFORMATION_TAGS });
}

type Resource = { Type?: unknown; Properties?: Record<string, unknown> };

function resourcesOf(document: unknown): Record<string, Resource> {
  const resources = (document as { resources?: unknown })?.resources;
  // `resources` is an object, or a list of objects merged in order.
  const parts = Array.isArray(resources) ? resources : [resources];
  return Object.assign({}, ...parts.map((part) => (part as { Resources?: Record<string, Resource> })?.Resources ?? {}));
}

function targetOf(raw: Record<string, unknown>, ruleId: string, context: VariableContext): EventRuleTarget {
  const retry = (raw.RetryPolicy ?? {}) as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  const transformer = raw.InputTransformer as { InputPathsMap?: Record<string, string>; InputTemplate?: unknown } | undefined;
  if (transformer && typeof transformer.InputTemplate !== 'string') throw new EventRuleError(`rule ${ruleId}: InputTransformer.InputTemplate must be a string`);
  const inputTransformer = transformer && (resolveValue(transformer, context) as NonNullable<EventRuleTarget['inputTransformer']>);
  if (inputTransformer) validateInputTransformer(inputTransformer, `rule ${ruleId}, target ${String(raw.Id ?? ruleId)}`);
  return {
    id: String(raw.Id ?? ruleId),
    ...(typeof raw.Input === 'string' ? { input: resolveValue(raw.Input, context) as string } : {}),
    ...(typeof raw.InputPath === 'string' ? { inputPath: raw.InputPath } : {}),
    ...(inputTransformer ? { inputTransformer } : {}),
    maximumRetryAttempts: Number(retry.MaximumRetryAttempts ?? 185),
    maximumEventAgeSeconds: Number(retry.MaximumEventAgeInSeconds ?? 86_400),
  };
}

/** Every `AWS::Events::Rule` under `resources.Resources`, its pattern resolved for the context's stage and validated. */
export function rulesFromDocument(context: VariableContext): EventRule[] {
  return Object.entries(resourcesOf(context.document))
    .filter(([, resource]) => resource?.Type === 'AWS::Events::Rule')
    .map(([id, resource]) => {
      const properties = resource.Properties ?? {};
      let pattern = resolveValue(properties.EventPattern, context);
      if (typeof pattern === 'string') pattern = JSON.parse(pattern) as unknown; // CloudFormation also takes the pattern as JSON text
      if (pattern === undefined) throw new EventRuleError(`rule ${id} has no EventPattern (schedule rules are not run locally)`);
      validatePattern(pattern, `${id}.EventPattern`);
      const targets = Array.isArray(properties.Targets) ? (properties.Targets as Record<string, unknown>[]) : [];
      return {
        id,
        name: String(resolveValue(properties.Name ?? id, context)),
        pattern,
        enabled: properties.State !== 'DISABLED',
        targets: targets.map((target) => targetOf(target, id, context)),
      };
    });
}

/** Reads serverless.yml (the real one by default) and returns its event rules for `stage`. */
export async function loadServerlessRules(vars: Omit<VariableContext, 'document'>, file = SERVERLESS_FILE): Promise<EventRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new EventRuleError(`cannot read the event rules from ${file}: ${(error as Error).message}`, { cause: error });
  }
  return rulesFromDocument({ ...vars, document: parseServerlessYaml(text) });
}

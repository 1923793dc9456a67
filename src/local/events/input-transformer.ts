import { EventRuleError } from './errors.ts';

/** A rule target's input settings, as in CloudFormation's AWS::Events::Rule Target. */
export interface TargetInput {
  /** A constant JSON text passed instead of the event. */
  input?: string;
  /** A JSONPath into the event (e.g. `$.detail`) whose value is passed. */
  inputPath?: string;
  inputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
}

/** `$.detail.image-tag` or `$.detail['image-tag']`: the JSONPath subset EventBridge input paths use in practice. */
function select(event: unknown, path: string): unknown {
  if (path === '$') return event;
  const parts = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[['"]([^'"]+)['"]\]|\[(\d+)\]/g)].map((m) => m[1] ?? m[2] ?? Number(m[3]));
  let value = event;
  for (const part of parts) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function predefined(name: string, event: Record<string, unknown>, ruleName: string, ruleArn: string): unknown {
  switch (name) {
    case 'aws.events.event':
    case 'aws.events.event.json':
      return event;
    case 'aws.events.rule-name':
      return ruleName;
    case 'aws.events.rule-arn':
      return ruleArn;
    case 'aws.events.event.ingestion-time':
      return event.time;
    default:
      return undefined;
  }
}

/**
 * What a target receives, as EventBridge computes it: the event itself, a
 * constant, a path of it, or an InputTemplate with `<placeholders>` filled in.
 * A placeholder inside quotes takes a string's text; outside, the JSON value.
 */
export function targetInput(target: TargetInput, event: Record<string, unknown>, rule: { name: string; arn: string }): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return select(event, target.inputPath);
  const transformer = target.inputTransformer;
  if (!transformer) return event;
  const values = Object.fromEntries(Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, select(event, path)]));
  const text = transformer.InputTemplate.replace(/("?)<([A-Za-z0-9_.-]+)>("?)/g, (match, open: string, name: string, close: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : predefined(name, event, rule.name, rule.arn);
    if (value === undefined) return match;
    if (open && close && typeof value === 'string') return `"${JSON.stringify(value).slice(1, -1)}"`;
    return `${open}${JSON.stringify(value)}${close}`;
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    if (/^\s*[{[]/.test(text)) throw new EventRuleError(`the InputTemplate of rule ${rule.name} does not give JSON: ${text.slice(0, 200)}`, { cause: error });
    return text;
  }
}

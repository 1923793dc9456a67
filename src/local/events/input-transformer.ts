/**
 * What a rule target receives, as EventBridge computes it: the event itself, a
 * constant (Input), a part of it (InputPath), or an InputTransformer's template
 * with its `<placeholders>` filled in. The rules followed are AWS's documented
 * ones, not what our own rules happen to need:
 *
 * - "Amazon EventBridge input transformation",
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html:
 *   the predefined variables (`aws.events.event` is the original event WITHOUT
 *   its `detail` field, `aws.events.event.json` the full event, both usable only
 *   as the value of a JSON field; `aws.events.rule-arn`, `aws.events.rule-name`,
 *   `aws.events.event.ingestion-time`, an ISO 8601 timestamp of when
 *   EventBridge received the event); quote a variable that holds a string, not
 *   one that holds an object or array; "if you specify a variable to match a
 *   JSON path that doesn't exist in the event, that variable isn't created and
 *   won't appear in the output"; "EventBridge doesn't escape values extracted
 *   by Input Path" when it puts them inside a string of the template.
 * - The InputTransformer API reference,
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html:
 *   at most 100 InputPathsMap entries, keys of `[A-Za-z0-9_-]+` (so none
 *   starts with "AWS."), paths in dot notation (not bracket notation); an InputTemplate
 *   of 1 to 8,192 characters whose placeholders are never object keys.
 */
import { EventRuleError } from './errors.ts';

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

/** A rule target's input settings, as in CloudFormation's AWS::Events::Rule Target. */
export interface TargetInput {
  /** A constant JSON text passed instead of the event. */
  input?: string;
  /** A JSONPath into the event (e.g. `$.detail`) whose value is passed. */
  inputPath?: string;
  inputTransformer?: InputTransformer;
}

/** The rule a delivery is for, and when EventBridge took the event in. */
export interface DeliveryContext {
  name: string;
  arn: string;
  /** When the bus accepted the event (`aws.events.event.ingestion-time`); defaults to now. */
  ingestionTime?: Date;
}

export const MAX_INPUT_PATHS = 100;
export const MAX_INPUT_TEMPLATE_LENGTH = 8192;
const PATH_KEY = /^[A-Za-z0-9_-]+$/;
/** Dot notation: `$`, `.name` segments (dashes and underscores allowed), `[n]` array indices, `*` wildcards. */
const DOT_PATH = /^\$((\.([A-Za-z0-9_\-/]+|\*))|\[(\d+|\*)\])*$/;

const PREDEFINED = ['aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event', 'aws.events.event.json', 'aws.events.event.ingestion-time'] as const;
type Predefined = (typeof PREDEFINED)[number];
/** These two put the event's JSON in unescaped: only as the value of a JSON field. */
const JSON_ONLY: readonly string[] = ['aws.events.event', 'aws.events.event.json'];

interface Placeholder {
  name: string;
  /** Inside a JSON string of the template: the value's text goes in, unescaped. */
  inString: boolean;
  start: number;
  end: number;
}

/**
 * Finds the placeholders of a template and where each stands: inside a JSON
 * string or not, and whether it would be an object key (refused). A `<...>`
 * whose name is no variable is text, as in any template.
 */
function placeholdersOf(template: string, known: (name: string) => boolean, where: string): Placeholder[] {
  const found: Placeholder[] = [];
  let inString = false;
  let stringStart = 0;
  let stringHasPlaceholder = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (inString && char === '\\') {
      i += 1;
      continue;
    }
    if (char === '"') {
      if (inString && stringHasPlaceholder && /^\s*:/.test(template.slice(i + 1))) {
        throw new EventRuleError(`${where}: a placeholder cannot be part of an object key (${template.slice(stringStart, i + 1)})`);
      }
      inString = !inString;
      stringStart = i;
      stringHasPlaceholder = false;
      continue;
    }
    if (char !== '<') continue;
    const match = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
    if (!match || !known(match[1]!)) continue;
    const name = match[1]!;
    const end = i + match[0].length;
    if (!inString && /^\s*:/.test(template.slice(end))) throw new EventRuleError(`${where}: the placeholder <${name}> cannot be used as an object key`);
    if (inString && JSON_ONLY.includes(name)) {
      throw new EventRuleError(`${where}: <${name}> can only be the value of a JSON field (its JSON is not escaped), not part of a string`);
    }
    if (inString) stringHasPlaceholder = true;
    found.push({ name, inString, start: i, end });
    i = end - 1;
  }
  return found;
}

/**
 * Refuses what PutTargets would refuse, with the reason: more than 100
 * variables, a bad variable name, a reserved one, a path not in dot notation,
 * a template too long, or a placeholder where AWS does not allow one.
 */
export function validateInputTransformer(transformer: InputTransformer, where: string): void {
  const paths = Object.entries(transformer.InputPathsMap ?? {});
  if (paths.length > MAX_INPUT_PATHS)
    throw new EventRuleError(`${where}: InputPathsMap has ${paths.length} variables; EventBridge allows at most ${MAX_INPUT_PATHS}`);
  for (const [name, path] of paths) {
    if (!PATH_KEY.test(name)) throw new EventRuleError(`${where}: InputPathsMap variable "${name}" must match [A-Za-z0-9_-]+`);
    if (typeof path !== 'string' || !DOT_PATH.test(path)) {
      throw new EventRuleError(`${where}: InputPathsMap.${name} must be a JSON path in dot notation such as $.detail.image-tag (got ${JSON.stringify(path)})`);
    }
  }
  const template = transformer.InputTemplate;
  if (typeof template !== 'string' || template.length < 1 || template.length > MAX_INPUT_TEMPLATE_LENGTH) {
    throw new EventRuleError(`${where}: InputTemplate must be a string of 1 to ${MAX_INPUT_TEMPLATE_LENGTH} characters`);
  }
  placeholdersOf(template, (name) => Object.hasOwn(transformer.InputPathsMap ?? {}, name) || (PREDEFINED as readonly string[]).includes(name), where);
}

/** The values a dot-notation path selects; `*` selects every element or field. */
function select(value: unknown, path: string): unknown {
  const segments = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+|\*)\]/g)].map((m) => m[1] ?? m[2]!);
  let current: unknown[] = [value];
  let wildcard = false;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const node of current) {
      if (typeof node !== 'object' || node === null) continue;
      if (segment === '*') {
        wildcard = true;
        next.push(...Object.values(node));
      } else if (Object.hasOwn(node, segment)) next.push((node as Record<string, unknown>)[segment]);
    }
    current = next;
  }
  return wildcard ? current : current[0];
}

function predefined(name: Predefined, event: Record<string, unknown>, context: DeliveryContext): unknown {
  switch (name) {
    case 'aws.events.event': {
      const { detail: _detail, ...withoutDetail } = event;
      return withoutDetail;
    }
    case 'aws.events.event.json':
      return event;
    case 'aws.events.rule-name':
      return context.name;
    case 'aws.events.rule-arn':
      return context.arn;
    case 'aws.events.event.ingestion-time':
      return (context.ingestionTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

function fill(transformer: InputTransformer, event: Record<string, unknown>, context: DeliveryContext): string {
  const paths = transformer.InputPathsMap ?? {};
  const template = transformer.InputTemplate;
  const where = `the InputTemplate of rule ${context.name}`;
  const placeholders = placeholdersOf(template, (name) => Object.hasOwn(paths, name) || (PREDEFINED as readonly string[]).includes(name), where);
  let text = '';
  let from = 0;
  for (const placeholder of placeholders) {
    text += template.slice(from, placeholder.start);
    from = placeholder.end;
    const value = Object.hasOwn(paths, placeholder.name) ? select(event, paths[placeholder.name]!) : predefined(placeholder.name as Predefined, event, context);
    // A path that matches nothing makes no variable: nothing goes in its place.
    if (value === undefined) continue;
    // Inside a string the text goes in as it is (EventBridge does not escape it); elsewhere, the JSON value.
    text += placeholder.inString && typeof value === 'string' ? value : JSON.stringify(value);
  }
  return text + template.slice(from);
}

/**
 * What the target receives for `event`. A template that looks like JSON must
 * give JSON; a string template gives its text.
 */
export function targetInput(target: TargetInput, event: Record<string, unknown>, context: DeliveryContext): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return select(event, target.inputPath);
  const transformer = target.inputTransformer;
  if (!transformer) return event;
  const text = fill(transformer, event, context);
  try {
    return JSON.parse(text);
  } catch (error) {
    if (/^\s*[{[]/.test(text))
      throw new EventRuleError(`the InputTemplate of rule ${context.name} does not give JSON: ${text.slice(0, 200)}`, { cause: error });
    return text;
  }
}

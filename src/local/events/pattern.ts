import { BlockList, isIP } from 'node:net';
import { EventRuleError } from './errors.ts';

/**
 * EventBridge event patterns (content filtering), as documented in "Amazon
 * EventBridge event patterns" and "Content filtering": keys are ANDed, the
 * values of a leaf array are ORed, nested objects follow the event's nesting,
 * an array in the event matches when any of its elements does. Operators:
 * exact values (string, number, boolean, null), prefix, suffix (each also with
 * equals-ignore-case), equals-ignore-case, wildcard, anything-but (a value, a
 * list, or prefix / suffix / equals-ignore-case / wildcard), numeric, cidr,
 * exists, and $or.
 */
export type EventPattern = { [key: string]: unknown };

type Matcher = string | number | boolean | null | { [operator: string]: unknown };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

// ------------------------------------------------------------------ validation

function fail(path: string, problem: string): never {
  throw new EventRuleError(`event pattern ${path}: ${problem}`);
}

function validateStringOrIgnoreCase(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (isObject(value) && Object.keys(value).length === 1 && typeof value['equals-ignore-case'] === 'string') return;
  fail(path, 'expects a string or {"equals-ignore-case": string}');
}

function validateMatcher(matcher: unknown, path: string): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return;
  if (!isObject(matcher)) fail(path, 'a matcher is a value or an {operator: argument} object');
  const keys = Object.keys(matcher);
  if (keys.length !== 1) fail(path, `a matcher has exactly one operator, not ${JSON.stringify(keys)}`);
  const operator = keys[0] as string;
  const argument = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return validateStringOrIgnoreCase(argument, `${path}.${operator}`);
    case 'equals-ignore-case':
    case 'wildcard':
      if (typeof argument !== 'string') fail(`${path}.${operator}`, 'expects a string');
      return;
    case 'exists':
      if (typeof argument !== 'boolean') fail(`${path}.exists`, 'expects true or false');
      return;
    case 'cidr':
      if (typeof argument !== 'string' || !parseCidr(argument)) fail(`${path}.cidr`, `"${String(argument)}" is not a CIDR block`);
      return;
    case 'numeric': {
      const parts = Array.isArray(argument) ? argument : [];
      const valid =
        (parts.length === 2 || parts.length === 4) && parts.every((p, i) => (i % 2 === 0 ? NUMERIC_OPERATORS.has(p as string) : typeof p === 'number'));
      if (!valid) fail(`${path}.numeric`, 'expects [op, number] or [op, number, op, number] with op one of = < <= > >=');
      return;
    }
    case 'anything-but': {
      if (typeof argument === 'string' || typeof argument === 'number') return;
      if (Array.isArray(argument) && argument.length > 0 && argument.every((a) => typeof a === 'string' || typeof a === 'number')) return;
      if (isObject(argument) && Object.keys(argument).length === 1) {
        const [inner, value] = Object.entries(argument)[0] as [string, unknown];
        const strings = typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
        if (['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner) && strings) return;
      }
      return fail(`${path}.anything-but`, 'expects a value, a list of values, or {prefix|suffix|equals-ignore-case|wildcard: string}');
    }
    default:
      fail(path, `unknown operator "${operator}"`);
  }
}

/** Throws EventRuleError naming the first problem, so a typo in serverless.yml is caught at start, not by a rule that never fires. */
export function validatePattern(pattern: unknown, path = 'EventPattern'): asserts pattern is EventPattern {
  if (!isObject(pattern)) fail(path, 'must be an object');
  for (const [key, rule] of Object.entries(pattern)) {
    const at = `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) fail(at, 'expects a list of at least two patterns');
      rule.forEach((sub, i) => validatePattern(sub, `${at}[${i}]`));
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) fail(at, 'an empty list matches nothing');
      rule.forEach((matcher, i) => validateMatcher(matcher, `${at}[${i}]`));
    } else if (isObject(rule)) {
      validatePattern(rule, at);
    } else {
      fail(at, `values must be in a list: [${JSON.stringify(rule)}]`);
    }
  }
}

// ------------------------------------------------------------------ matching

function parseCidr(cidr: string): BlockList | undefined {
  const [network, bits] = cidr.split('/');
  const family = isIP(network ?? '');
  const prefix = Number(bits);
  if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
  const list = new BlockList();
  list.addSubnet(network as string, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

function wildcardRegExp(pattern: string): RegExp {
  const source = pattern.replace(/\\\*|\\\\|\*|[.+?^${}()|[\]\\]/g, (token) => (token === '*' ? '.*' : token === '\\*' ? '\\*' : `\\${token.at(-1)}`));
  return new RegExp(`^${source}$`, 's');
}

function textMatches(operator: string, argument: unknown, value: string): boolean {
  const ignoreCase = isObject(argument);
  const wanted = ignoreCase ? String(argument['equals-ignore-case']) : String(argument);
  const [a, b] = ignoreCase ? [value.toLowerCase(), wanted.toLowerCase()] : [value, wanted];
  return operator === 'prefix' ? a.startsWith(b) : a.endsWith(b);
}

function numericMatches(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    const ok = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[conditions[i] as string];
    if (!ok) return false;
  }
  return true;
}

function anythingBut(argument: unknown, value: unknown): boolean {
  if (!isObject(argument)) {
    const excluded = Array.isArray(argument) ? argument : [argument];
    return !excluded.some((e) => e === value);
  }
  if (typeof value !== 'string') return false;
  const [operator, inner] = Object.entries(argument)[0] as [string, unknown];
  const list = Array.isArray(inner) ? (inner as string[]) : [inner as string];
  return !list.some((item) => matchOne({ [operator]: item }, value));
}

function matchOne(matcher: Matcher, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator, argument] = Object.entries(matcher)[0] as [string, unknown];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return typeof value === 'string' && textMatches(operator, argument, value);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(String(argument)).test(value);
    case 'numeric':
      return typeof value === 'number' && numericMatches(argument as unknown[], value);
    case 'cidr': {
      const family = typeof value === 'string' ? isIP(value) : 0;
      return family !== 0 && (parseCidr(String(argument))?.check(value as string, family === 4 ? 'ipv4' : 'ipv6') ?? false);
    }
    case 'anything-but':
      return anythingBut(argument, value);
    default:
      return false;
  }
}

function matchLeaf(matchers: Matcher[], present: boolean, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher.exists ? present && !isObject(value) : !present;
    return present && values.some((v) => matchOne(matcher, v));
  });
}

function matchObject(pattern: EventPattern, value: unknown): boolean {
  const fields = isObject(value) ? value : {};
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') return (rule as EventPattern[]).some((sub) => matchObject(sub, value));
    const present = Object.hasOwn(fields, key);
    const field = fields[key];
    if (Array.isArray(rule)) return matchLeaf(rule as Matcher[], present, field);
    // A list of objects in the event matches a nested pattern when one of its elements does.
    if (Array.isArray(field)) return field.some((element) => matchObject(rule as EventPattern, element));
    return matchObject(rule as EventPattern, field);
  });
}

/** Whether `event` matches `pattern` (validate the pattern first: an invalid one matches nothing useful). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

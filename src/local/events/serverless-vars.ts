import { EventRuleError } from './errors.ts';

/** What Serverless Framework variables resolve to locally. */
export interface VariableContext {
  /** The whole serverless.yml, for `${self:...}`. */
  document: unknown;
  stage: string;
  region: string;
  accountId: string;
  /** `${param:...}` values given as --param would be; otherwise serverless.yml's `params` of the stage, then its `params.default`. */
  params?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/** The innermost `${...}`: nested variables (`${self:custom.${sls:stage}}`) resolve inside out. */
const INNERMOST = /\$\{([^${}]+)\}/g;
/** Serverless sources handled here; `${AWS::Region}` or `${Table.Arn}` (CloudFormation's !Sub) are left alone. */
const SOURCE = /^\s*(sls|self|opt|param|env|aws|file|ssm|cf|s3|sfn|strToBool)\s*:/;
const MAX_DEPTH = 20;

function splitAlternatives(expression: string): string[] {
  return (expression.match(/'[^']*'|"[^"]*"|[^,]+/g) ?? []).map((part) => part.trim()).filter(Boolean);
}

function lookup(document: unknown, path: string): unknown {
  let value = document;
  for (const part of path.split('.').filter(Boolean)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function resolveOne(alternative: string, context: VariableContext, depth: number): unknown {
  const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(alternative);
  if (quoted) return quoted[1] ?? quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(alternative)) return Number(alternative);
  const source = SOURCE.exec(alternative)?.[1];
  const address = alternative.slice(alternative.indexOf(':') + 1).trim();
  switch (source) {
    case 'sls':
      return address === 'stage' ? context.stage : undefined;
    case 'opt':
      return address === 'stage' ? context.stage : address === 'region' ? context.region : undefined;
    case 'aws':
      return address === 'region' ? context.region : address === 'accountId' ? context.accountId : undefined;
    case 'param': {
      // The framework's order: --param, then params.<stage>, then params.default.
      const value =
        context.params?.[address] ?? lookup(context.document, `params.${context.stage}.${address}`) ?? lookup(context.document, `params.default.${address}`);
      return value === undefined || value === null ? undefined : resolveValue(value, context, depth + 1);
    }
    case 'env':
      return (context.env ?? process.env)[address];
    case 'self': {
      const value = lookup(context.document, address);
      return value === undefined ? undefined : resolveValue(value, context, depth + 1);
    }
    default:
      throw new EventRuleError(`\${${alternative}} uses a Serverless variable source the local provider does not resolve (${source ?? 'none'})`);
  }
}

function resolveExpression(expression: string, context: VariableContext, depth: number): unknown {
  for (const alternative of splitAlternatives(expression)) {
    const value = resolveOne(alternative, context, depth);
    if (value !== undefined && value !== null) return value;
  }
  throw new EventRuleError(`\${${expression}} in serverless.yml resolves to nothing locally; give it a fallback or a value under custom`);
}

function resolveString(text: string, context: VariableContext, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new EventRuleError(`serverless.yml variables nest too deep (a cycle?) near "${text}"`);
  let current = text;
  for (;;) {
    const whole = /^\$\{([^${}]+)\}$/.exec(current);
    if (whole && SOURCE.test(whole[1] as string)) {
      // A value that is one variable keeps the variable's type (a number, an object).
      const value = resolveExpression(whole[1] as string, context, depth);
      return typeof value === 'string' ? resolveString(value, context, depth + 1) : value;
    }
    const next = current.replace(INNERMOST, (match, expression: string) =>
      SOURCE.test(expression) ? String(resolveExpression(expression, context, depth)) : match,
    );
    if (next === current) return current;
    current = next;
  }
}

/** `value` with every Serverless variable in it resolved, as `serverless package` would for the stage. */
export function resolveValue(value: unknown, context: VariableContext, depth = 0): unknown {
  if (typeof value === 'string') return resolveString(value, context, depth);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context, depth));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveValue(item, context, depth)]));
  }
  return value;
}

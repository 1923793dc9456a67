/**
 * The intrinsic functions inside a template, checked the way CloudFormation resolves them.
 *
 * An intrinsic function is checked for its arguments and its targets (Ref, Fn::GetAtt and
 * Fn::Sub name a resource, parameter or pseudo parameter that exists; the attribute is one the
 * schema of that type publishes; Fn::If names a condition), and for what it returns: a string
 * (Ref, Fn::Sub, Fn::Join, Fn::ImportValue, Fn::Base64, most Fn::GetAtt), a list (Fn::Split,
 * Fn::GetAZs, Fn::Cidr, a Ref to a list parameter, a list attribute), or something that depends
 * on the data (Fn::Select, Fn::FindInMap). What a value must be is ./values.ts's job.
 *
 * Template rules: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
 */
import type { PropertyType, ResourceSpec } from './resource-spec.ts';

export type Json = Record<string, unknown>;
/** What an expression gives: `novalue` is Ref AWS::NoValue (the property is left out). */
export type Kind = 'string' | 'list' | 'any' | 'novalue';

export interface Problem {
  path: string;
  message: string;
}

export interface Declared {
  resources: Record<string, { Type?: unknown; Condition?: unknown }>;
  parameters: Record<string, { Type?: unknown }>;
  conditions: Set<string>;
  mappings: Record<string, unknown>;
  transforms: string[];
}

/** Where an expression sits: whose value it is, under which conditions, and what it makes that owner depend on. */
export interface Scope {
  owner: string;
  /** Conditions true wherever this expression is evaluated (the owner's Condition, enclosing Fn::If branches). */
  guards: ReadonlySet<string>;
  /** Conditions section: Ref may name parameters only. */
  inConditions?: boolean;
  dependsOn: Set<string>;
}

/** https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html */
const PSEUDO_PARAMETERS: Record<string, Kind> = {
  'AWS::AccountId': 'string',
  'AWS::NotificationARNs': 'list',
  'AWS::NoValue': 'novalue',
  'AWS::Partition': 'string',
  'AWS::Region': 'string',
  'AWS::StackId': 'string',
  'AWS::StackName': 'string',
  'AWS::URLSuffix': 'string',
};

const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or']);
/** These need `Transform: AWS::LanguageExtensions`. */
const LANGUAGE_EXTENSIONS = new Set(['Fn::Length', 'Fn::ToJsonString', 'Fn::ForEach']);

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `Ref` or `Fn::*` when `value` is an intrinsic function call, else undefined. */
export function intrinsicName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

export const isNoValue = (value: unknown): boolean => isObject(value) && value.Ref === 'AWS::NoValue' && Object.keys(value).length === 1;

export const describeKind = (kind: Kind) => (kind === 'list' ? 'a list' : kind === 'string' ? 'a string' : 'a value');

export function closest(name: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  const ranked = candidates.map((candidate) => ({ candidate, d: distance(name, candidate) })).sort((a, b) => a.d - b.d);
  return ranked[0] && ranked[0].d <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0].candidate : undefined;
}

/** Checks intrinsic functions; a subclass says what a value of a given type may be (checkValue). */
export abstract class IntrinsicChecker {
  readonly problems: Problem[] = [];
  readonly spec: ResourceSpec;
  readonly declared: Declared;

  constructor(spec: ResourceSpec, declared: Declared) {
    this.spec = spec;
    this.declared = declared;
  }

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  abstract checkValue(value: unknown, type: PropertyType, path: string, scope: Scope): void;

  /** Checks each branch of Fn::If under its guard; the condition must exist. */
  ifBranches(value: Json, path: string, scope: Scope, check: (branch: unknown, path: string, scope: Scope) => void): void {
    const args = value['Fn::If'];
    if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') {
      this.problem(path, 'Fn::If takes [condition name, value if true, value if false]');
      return;
    }
    const [condition, whenTrue, whenFalse] = args as [string, unknown, unknown];
    if (!this.declared.conditions.has(condition)) this.problem(`${path}.Fn::If`, `condition "${condition}" is not defined in Conditions`);
    if (!isNoValue(whenTrue)) check(whenTrue, `${path}.Fn::If[1]`, { ...scope, guards: new Set([...scope.guards, condition]) });
    if (!isNoValue(whenFalse)) check(whenFalse, `${path}.Fn::If[2]`, scope);
  }

  /** Any value: intrinsics inside it are checked, whatever it is (json properties, Metadata-free places). */
  scan(value: unknown, path: string, scope: Scope): void {
    if (intrinsicName(value)) {
      this.evaluate(value as Json, path, scope);
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => this.scan(item, `${path}[${index}]`, scope));
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) this.scan(item, `${path}.${key}`, scope);
  }

  /** A value that must be a string: a scalar literal or a string-returning function. */
  scalar(value: unknown, path: string, scope: Scope): void {
    this.checkValue(value, { type: 'string' }, path, scope);
  }

  /** A value that must be a list: a list literal of strings or a list-returning function. */
  list(value: unknown, path: string, scope: Scope): number | undefined {
    if (Array.isArray(value)) {
      value.forEach((item, index) => this.scalar(item, `${path}[${index}]`, scope));
      return value.length;
    }
    this.checkValue(value, { type: 'array', element: { type: 'string' } }, path, scope);
    return undefined;
  }

  /** Checks an intrinsic function call and says what it gives. */
  evaluate(value: Json, path: string, scope: Scope): Kind {
    const fn = intrinsicName(value)!;
    const args = value[fn];
    const at = `${path}.${fn}`;
    const expect = (ok: boolean, usage: string): boolean => {
      if (!ok) this.problem(at, `${fn} takes ${usage}, got ${JSON.stringify(args)?.slice(0, 120)}`);
      return ok;
    };
    if (LANGUAGE_EXTENSIONS.has(fn) && !this.declared.transforms.includes('AWS::LanguageExtensions')) {
      this.problem(at, `${fn} needs "Transform: AWS::LanguageExtensions" in the template`);
      return 'any';
    }
    if (CONDITION_FUNCTIONS.has(fn) && !scope.inConditions) {
      this.problem(at, `${fn} is a condition function: it belongs in Conditions (use Fn::If with a condition name here)`);
      return 'any';
    }
    switch (fn) {
      case 'Ref':
        if (!expect(typeof args === 'string', 'the logical id of a resource or parameter')) return 'any';
        return this.ref(args as string, at, scope);
      case 'Fn::GetAtt': {
        const parts: unknown = typeof args === 'string' ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)] : args;
        if (!expect(Array.isArray(parts) && parts.length === 2 && typeof parts[0] === 'string', '[resource, attribute] or "resource.attribute"')) return 'any';
        const [resourceId, attribute] = parts as [string, unknown];
        return this.getAtt(resourceId, attribute, at, scope);
      }
      case 'Fn::Sub':
        return this.sub(args, at, scope);
      case 'Fn::Join':
        if (!expect(Array.isArray(args) && args.length === 2 && typeof args[0] === 'string', '[delimiter, list of values]')) return 'string';
        this.list((args as unknown[])[1], `${at}[1]`, scope);
        return 'string';
      case 'Fn::Select': {
        if (!expect(Array.isArray(args) && args.length === 2, '[index, list]')) return 'any';
        const [index, from] = args as [unknown, unknown];
        if (intrinsicName(index)) this.scalar(index, `${at}[0]`, scope);
        else expect(Number.isInteger(Number(index)) && Number(index) >= 0, 'an index that is a whole number >= 0');
        const length = this.list(from, `${at}[1]`, scope);
        if (length !== undefined && Number(index) >= length) this.problem(at, `index ${String(index)} is past the end of a list of ${length}`);
        return 'any';
      }
      case 'Fn::Split':
        if (!expect(Array.isArray(args) && args.length === 2 && typeof args[0] === 'string', '[delimiter, string]')) return 'list';
        this.scalar((args as unknown[])[1], `${at}[1]`, scope);
        return 'list';
      case 'Fn::GetAZs':
        this.scalar(args, at, scope);
        return 'list';
      case 'Fn::Cidr':
        if (expect(Array.isArray(args) && args.length === 3, '[ipBlock, count, cidrBits]'))
          (args as unknown[]).forEach((item, index) => this.scalar(item, `${at}[${index}]`, scope));
        return 'list';
      case 'Fn::ImportValue':
      case 'Fn::Base64':
        this.scalar(args, at, scope);
        return 'string';
      case 'Fn::FindInMap':
        return this.findInMap(args, at, scope);
      case 'Fn::If': {
        let kinds: Kind[] = [];
        this.ifBranches(value, path, scope, (branch, branchPath, inner) => {
          kinds.push(intrinsicName(branch) ? this.evaluate(branch as Json, branchPath, inner) : Array.isArray(branch) ? 'list' : 'string');
          if (Array.isArray(branch)) this.list(branch, branchPath, inner);
        });
        kinds = kinds.filter((kind) => kind !== 'novalue');
        return kinds.length === 0 ? 'novalue' : kinds.every((kind) => kind === kinds[0]) ? kinds[0]! : 'any';
      }
      case 'Fn::Equals':
        if (expect(Array.isArray(args) && args.length === 2, '[value, value]'))
          (args as unknown[]).forEach((item, index) => this.scan(item, `${at}[${index}]`, scope));
        return 'string';
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or': {
        const [min, max] = fn === 'Fn::Not' ? [1, 1] : [2, 10];
        if (
          expect(Array.isArray(args) && args.length >= min && args.length <= max, `a list of ${min === max ? 'one condition' : `${min} to ${max} conditions`}`)
        ) {
          (args as unknown[]).forEach((item, index) => this.condition(item, `${at}[${index}]`, scope));
        }
        return 'string';
      }
      default:
        if (LANGUAGE_EXTENSIONS.has(fn)) {
          this.scan(args, at, scope);
          return 'any';
        }
        this.problem(at, `${fn} is not a CloudFormation intrinsic function`);
        return 'any';
    }
  }

  /** A condition: a condition function or {Condition: name}. */
  condition(value: unknown, path: string, scope: Scope): void {
    if (isObject(value) && Object.keys(value).length === 1 && typeof value.Condition === 'string') {
      if (!this.declared.conditions.has(value.Condition)) this.problem(`${path}.Condition`, `condition "${value.Condition}" is not defined in Conditions`);
      return;
    }
    const fn = intrinsicName(value);
    if (!fn || !CONDITION_FUNCTIONS.has(fn)) {
      this.problem(path, `a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}, got ${JSON.stringify(value)?.slice(0, 80)}`);
      return;
    }
    this.evaluate(value as Json, path, { ...scope, inConditions: true });
  }

  ref(name: string, path: string, scope: Scope): Kind {
    if (name in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[name]!;
    const parameter = this.declared.parameters[name];
    if (parameter) return /^(List<|CommaDelimitedList)/.test(String(parameter.Type)) ? 'list' : 'string';
    if (this.declared.resources[name]) {
      if (scope.inConditions) this.problem(path, `Conditions may refer to parameters only, not to the resource "${name}"`);
      this.dependOn(name, path, scope);
      return 'string';
    }
    this.problem(path, `"${name}" is not a resource, parameter or pseudo parameter of this template`);
    return 'any';
  }

  getAtt(resourceId: string, attribute: unknown, path: string, scope: Scope): Kind {
    const resource = this.declared.resources[resourceId];
    if (!resource) {
      this.problem(path, `Fn::GetAtt names "${resourceId}", which is not a resource of this template`);
      return 'any';
    }
    if (scope.inConditions) this.problem(path, `Conditions may refer to parameters only, not to the resource "${resourceId}"`);
    this.dependOn(resourceId, path, scope);
    if (typeof attribute !== 'string') {
      this.scalar(attribute, path, scope);
      return 'any';
    }
    const type = String(resource.Type);
    if (
      type.startsWith('Custom::') ||
      type === 'AWS::CloudFormation::CustomResource' ||
      (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.'))
    ) {
      return 'any';
    }
    const schema = this.spec.resource(type);
    if (!schema) return 'any';
    const found = schema.attributes[attribute];
    if (!found) {
      const names = Object.keys(schema.attributes);
      const hint = closest(attribute, names);
      this.problem(
        path,
        `${type} has no attribute "${attribute}"${hint ? `; did you mean "${hint}"?` : ''} (Fn::GetAtt ${resourceId} can give ${names.sort().join(', ') || 'nothing'})`,
      );
      return 'any';
    }
    return found.type.type === 'array' ? 'list' : found.type.type === 'json' || found.type.type === 'union' ? 'any' : 'string';
  }

  sub(args: unknown, path: string, scope: Scope): Kind {
    const [text, variables] = Array.isArray(args) ? args : [args, {}];
    if (typeof text !== 'string' || !isObject(variables) || (Array.isArray(args) && args.length !== 2)) {
      this.problem(path, `Fn::Sub takes a string or [string, {variable: value}], got ${JSON.stringify(args)?.slice(0, 120)}`);
      return 'string';
    }
    for (const [name, item] of Object.entries(variables)) this.scalar(item, `${path}.${name}`, scope);
    for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
      const name = match[1]!;
      if (name.startsWith('!') || name in variables) continue;
      const dot = name.indexOf('.');
      if (dot > 0 && !name.includes('::')) this.getAtt(name.slice(0, dot), name.slice(dot + 1), `${path} \${${name}}`, scope);
      else this.ref(name, `${path} \${${name}}`, scope);
    }
    return 'string';
  }

  findInMap(args: unknown, path: string, scope: Scope): Kind {
    if (!Array.isArray(args) || args.length < 3 || args.length > 4) {
      this.problem(path, 'Fn::FindInMap takes [map, top-level key, second-level key]');
      return 'any';
    }
    args.slice(0, 3).forEach((item, index) => this.scalar(item, `${path}[${index}]`, scope));
    const [map, top, second] = args as unknown[];
    if (typeof map === 'string') {
      const found = this.declared.mappings[map];
      if (!isObject(found)) this.problem(path, `mapping "${map}" is not defined in Mappings`);
      else if (typeof top === 'string' && typeof second === 'string' && args.length === 3) {
        const row = found[top];
        if (!isObject(row) || !(second in row)) this.problem(path, `Mappings.${map} has no ${top}.${second}`);
        else return Array.isArray(row[second]) ? 'list' : 'string';
      }
    }
    return 'any';
  }

  /** Records the dependency, and refuses a reference to a resource that may not exist where it is made. */
  dependOn(resourceId: string, path: string, scope: Scope): void {
    scope.dependsOn.add(resourceId);
    const condition = this.declared.resources[resourceId]?.Condition;
    if (typeof condition === 'string' && !scope.guards.has(condition)) {
      this.problem(
        path,
        `"${resourceId}" exists only when ${condition} is true, but ${scope.owner} refers to it without that condition: wrap the reference in Fn::If [${condition}, ..., ...] or give ${scope.owner} "Condition: ${condition}"`,
      );
    }
  }
}

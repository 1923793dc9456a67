/**
 * A CloudFormation template checked the way CloudFormation checks it before it creates anything,
 * against AWS's own resource schemas (./resource-spec.ts):
 *
 * - the template's sections, logical ids and the documented quotas;
 * - each resource: a type AWS publishes, only the resource attributes CloudFormation knows
 *   (DeletionPolicy and UpdateReplacePolicy with their allowed values), a Condition that
 *   exists, DependsOn targets that exist, and Properties that match the type's schema
 *   (./values.ts: unknown and missing required properties, value types and enums, intrinsics);
 * - Parameters (types, defaults against their own constraints), Conditions (condition
 *   functions over parameters only, no cycles), Outputs;
 * - no circular dependency between resources, and no reference to a resource whose Condition
 *   may be false from a place where it does not hold.
 *
 * Anatomy: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 * Resource attributes: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-product-attribute-reference.html
 * Quotas: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
import type { ResourceSpec } from './resource-spec.ts';
import { isObject, ValueChecker, type Declared, type Json, type Problem, type Scope } from './values.ts';

export type { Problem } from './values.ts';

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'CreationPolicy',
  'UpdatePolicy',
]);
/** https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html */
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
/** https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html */
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];
const PARAMETER_TYPE = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Value<.+>)$/;
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
const QUOTAS = { resources: 500, parameters: 200, outputs: 200, mappings: 200, templateBytes: 1_000_000 };

export function validateTemplate(template: Json, spec: ResourceSpec): Problem[] {
  const resources = isObject(template.Resources) ? (template.Resources as Declared['resources']) : {};
  const declared: Declared = {
    resources,
    parameters: isObject(template.Parameters) ? (template.Parameters as Declared['parameters']) : {},
    conditions: new Set(isObject(template.Conditions) ? Object.keys(template.Conditions) : []),
    mappings: isObject(template.Mappings) ? template.Mappings : {},
    transforms: [template.Transform ?? []].flat().filter((t): t is string => typeof t === 'string'),
  };
  const checker = new ValueChecker(spec, declared);
  const problem = checker.problem.bind(checker);

  for (const section of Object.keys(template)) if (!SECTIONS.has(section)) problem(section, 'is not a section of a CloudFormation template');
  if (!isObject(template.Resources) || Object.keys(template.Resources).length === 0) problem('Resources', 'a template needs at least one resource');
  const bytes = Buffer.byteLength(JSON.stringify(template));
  if (bytes > QUOTAS.templateBytes) problem('(template)', `is ${bytes} bytes; CloudFormation takes at most ${QUOTAS.templateBytes} from S3`);
  for (const [section, quota] of [
    ['Resources', QUOTAS.resources],
    ['Parameters', QUOTAS.parameters],
    ['Outputs', QUOTAS.outputs],
    ['Mappings', QUOTAS.mappings],
  ] as const) {
    const count = isObject(template[section]) ? Object.keys(template[section]).length : 0;
    if (count > quota) problem(section, `has ${count} entries; CloudFormation allows ${quota}`);
    if (isObject(template[section]))
      for (const id of Object.keys(template[section])) if (!LOGICAL_ID.test(id)) problem(`${section}.${id}`, 'logical ids are 1 to 255 letters and digits');
  }

  checkParameters(declared, problem);
  checkConditions(template, checker);

  const dependencies = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    if (!isObject(resource)) {
      problem(path, 'must be an object with a Type');
      continue;
    }
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key)) problem(`${path}.${key}`, `is not a resource attribute (${[...RESOURCE_KEYS].join(', ')})`);
    const condition = resource.Condition;
    if (condition !== undefined && (typeof condition !== 'string' || !declared.conditions.has(condition))) {
      problem(`${path}.Condition`, `condition ${JSON.stringify(condition)} is not defined in Conditions`);
    }
    const scope: Scope = { owner: id, guards: new Set(typeof condition === 'string' ? [condition] : []), dependsOn: new Set() };
    checkPolicy(resource, 'DeletionPolicy', DELETION_POLICIES, path, checker, scope);
    checkPolicy(resource, 'UpdateReplacePolicy', UPDATE_REPLACE_POLICIES, path, checker, scope);
    checkDependsOn((resource as Json).DependsOn, id, `${path}.DependsOn`, checker, scope);
    checkResource(resource as Json, id, path, spec, declared, checker, scope);
    dependencies.set(id, scope.dependsOn);
  }

  if (isObject(template.Outputs)) {
    for (const [id, output] of Object.entries(template.Outputs)) {
      const path = `Outputs.${id}`;
      if (!isObject(output) || output.Value === undefined) {
        problem(path, 'an output needs a Value');
        continue;
      }
      const condition = output.Condition;
      if (condition !== undefined && (typeof condition !== 'string' || !declared.conditions.has(condition))) {
        problem(`${path}.Condition`, `condition ${JSON.stringify(condition)} is not defined in Conditions`);
      }
      const scope: Scope = { owner: `output ${id}`, guards: new Set(typeof condition === 'string' ? [condition] : []), dependsOn: new Set() };
      checker.scalar(output.Value, `${path}.Value`, scope);
      if (isObject(output.Export)) checker.scalar(output.Export.Name, `${path}.Export.Name`, scope);
    }
  }

  for (const cycle of cycles(dependencies)) problem(`Resources.${cycle[0]}`, `circular dependency: ${[...cycle, cycle[0]].join(' -> ')}`);
  return checker.problems;
}

function checkResource(resource: Json, id: string, path: string, spec: ResourceSpec, declared: Declared, checker: ValueChecker, scope: Scope): void {
  const type = resource.Type;
  if (typeof type !== 'string') {
    checker.problem(`${path}.Type`, 'every resource needs a Type');
    return;
  }
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    checker.scan(resource.Properties, `${path}.Properties`, scope);
    return;
  }
  if (type.startsWith('AWS::Serverless::') && !declared.transforms.includes('AWS::Serverless-2016-10-31')) {
    checker.problem(`${path}.Type`, `${type} needs "Transform: AWS::Serverless-2016-10-31"`);
  }
  const schema = spec.resource(type);
  if (!schema) {
    checker.problem(`${path}.Type`, `"${type}" is not a resource type AWS publishes a schema for`);
    return;
  }
  checker.checkProperties(resource.Properties ?? {}, schema.properties, `${id} (${type})`, `${path}.Properties`, scope);
}

function checkPolicy(resource: Json, attribute: string, allowed: string[], path: string, checker: ValueChecker, scope: Scope): void {
  const value = resource[attribute];
  if (value === undefined) return;
  if (typeof value === 'string') {
    if (!allowed.includes(value)) checker.problem(`${path}.${attribute}`, `"${value}" is not a valid ${attribute} (${allowed.join(', ')})`);
  } else checker.scalar(value, `${path}.${attribute}`, scope);
}

function checkDependsOn(value: unknown, id: string, path: string, checker: ValueChecker, scope: Scope): void {
  if (value === undefined) return;
  const targets = Array.isArray(value) ? value : [value];
  for (const target of targets) {
    if (typeof target !== 'string') checker.problem(path, 'DependsOn takes a logical id or a list of them');
    else if (target === id) checker.problem(path, 'a resource cannot depend on itself');
    else if (!checker.declared.resources[target]) checker.problem(path, `"${target}" is not a resource of this template`);
    else checker.dependOn(target, path, scope);
  }
}

function checkParameters(declared: Declared, problem: (path: string, message: string) => void): void {
  for (const [id, parameter] of Object.entries(declared.parameters) as [string, Json][]) {
    const path = `Parameters.${id}`;
    if (typeof parameter.Type !== 'string' || !PARAMETER_TYPE.test(parameter.Type)) {
      problem(`${path}.Type`, `${JSON.stringify(parameter.Type)} is not a parameter type`);
      continue;
    }
    const fallback = parameter.Default;
    if (fallback === undefined) continue;
    const values = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<') ? String(fallback).split(',') : [String(fallback)];
    for (const value of values) {
      if (parameter.Type === 'Number' || parameter.Type === 'List<Number>') {
        if (!/^-?\d+(\.\d+)?$/.test(value.trim())) problem(`${path}.Default`, `"${value}" is not a number`);
      }
      if (Array.isArray(parameter.AllowedValues) && !parameter.AllowedValues.map(String).includes(value))
        problem(`${path}.Default`, `"${value}" is not in AllowedValues`);
      if (typeof parameter.AllowedPattern === 'string' && !new RegExp(`^(?:${parameter.AllowedPattern})$`).test(value)) {
        problem(`${path}.Default`, `"${value}" does not match AllowedPattern ${parameter.AllowedPattern}`);
      }
      if (typeof parameter.MinLength === 'number' && value.length < parameter.MinLength) problem(`${path}.Default`, `is shorter than MinLength`);
      if (typeof parameter.MaxLength === 'number' && value.length > parameter.MaxLength) problem(`${path}.Default`, `is longer than MaxLength`);
    }
  }
}

function checkConditions(template: Json, checker: ValueChecker): void {
  if (!isObject(template.Conditions)) return;
  const uses = new Map<string, Set<string>>();
  for (const [id, condition] of Object.entries(template.Conditions)) {
    checker.condition(condition, `Conditions.${id}`, { owner: `condition ${id}`, guards: new Set(), inConditions: true, dependsOn: new Set() });
    const named = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (isObject(value)) {
        if (typeof value.Condition === 'string' && Object.keys(value).length === 1) named.add(value.Condition);
        Object.values(value).forEach(collect);
      }
    };
    collect(condition);
    uses.set(id, named);
  }
  for (const cycle of cycles(uses)) checker.problem(`Conditions.${cycle[0]}`, `circular condition: ${[...cycle, cycle[0]].join(' -> ')}`);
}

/** Each cycle of the graph once, as the list of its nodes. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push(stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

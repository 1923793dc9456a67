/**
 * Property values against the resource schemas: no unknown property, every required one, each
 * value of its type (string, number, integer, boolean, json, date-time, tag, a named structure,
 * list, map, union) and in its enum where the schema has one. Where a string, number or boolean
 * is expected any string-returning function is fine (CloudFormation converts); where a list is
 * expected only a list-returning one is, and where an object is expected only Fn::If of objects
 * (./intrinsics.ts).
 */
import type { Property, PropertyType } from './resource-spec.ts';
import { typeName } from './resource-spec.ts';
import { closest, describeKind, IntrinsicChecker, intrinsicName, isNoValue, isObject, type Json, type Kind, type Scope } from './intrinsics.ts';

export { intrinsicName, isObject, type Declared, type Json, type Problem, type Scope } from './intrinsics.ts';

export class ValueChecker extends IntrinsicChecker {
  /** A structure (resource Properties or a named type): no unknown keys, every required key, each value of its type. */
  checkProperties(value: unknown, properties: Record<string, Property>, what: string, path: string, scope: Scope): void {
    if (!isObject(value) || intrinsicName(value)) {
      if (intrinsicName(value) === 'Fn::If')
        return this.ifBranches(value as Json, path, scope, (branch, at, inner) => this.checkProperties(branch, properties, what, at, inner));
      this.problem(path, `${what} must be an object of properties, not ${JSON.stringify(value)?.slice(0, 80)}`);
      return;
    }
    const known = Object.entries(properties).filter(([, p]) => p.deprecated !== 'IGNORE');
    const names = known.map(([name]) => name);
    for (const [name, item] of Object.entries(value)) {
      const property = properties[name];
      if (!property || property.deprecated === 'IGNORE') {
        const hint = closest(name, names);
        this.problem(`${path}.${name}`, `${what} has no property "${name}"${hint ? `; did you mean "${hint}"?` : ''} (it has ${names.sort().join(', ')})`);
        continue;
      }
      this.checkValue(item, property.type, `${path}.${name}`, scope);
    }
    for (const [name, property] of known) {
      if (!property.required) continue;
      const item = value[name];
      if (item === undefined || isNoValue(item)) this.problem(`${path}.${name}`, `${what} requires "${name}" (${typeName(this.spec, property.type)})`);
      else if (intrinsicName(item) === 'Fn::If') {
        const [condition, whenTrue, whenFalse] = (item as Json)['Fn::If'] as unknown[];
        if (isNoValue(whenTrue) || isNoValue(whenFalse)) {
          this.problem(
            `${path}.${name}`,
            `${what} requires "${name}", but it is left out when ${String(condition)} is ${isNoValue(whenTrue) ? 'true' : 'false'}`,
          );
        }
      }
    }
  }

  checkValue(value: unknown, type: PropertyType, path: string, scope: Scope): void {
    const fn = intrinsicName(value);
    if (fn === 'Fn::If') return this.ifBranches(value as Json, path, scope, (branch, at, inner) => this.checkValue(branch, type, at, inner));
    if (fn) {
      const kind = this.evaluate(value as Json, path, scope);
      if (!this.accepts(type, kind)) this.problem(path, `${fn} gives ${describeKind(kind)} where ${typeName(this.spec, type)} is expected`);
      return;
    }
    if (type.type === 'union') {
      const attempts = type.types.map((member) => {
        const inner = new ValueChecker(this.spec, this.declared);
        inner.checkValue(value, member, path, scope);
        return inner.problems;
      });
      if (attempts.some((found) => found.length === 0)) return;
      this.problems.push(...attempts.sort((a, b) => a.length - b.length)[0]!);
      return;
    }
    const wrong = (expected: string) => this.problem(path, `expected ${expected}, got ${JSON.stringify(value)?.slice(0, 120)}`);
    switch (type.type) {
      case 'string':
      case 'date-time':
        if (!['string', 'number', 'boolean'].includes(typeof value)) return wrong('a string');
        if (type.type === 'string' && type.allowedValues && !type.allowedValues.includes(String(value))) {
          this.problem(path, `"${String(value)}" is not one of the values AWS allows: ${type.allowedValues.join(', ')}`);
        }
        return;
      case 'number':
      case 'integer': {
        const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
        if (typeof number !== 'number' || (type.type === 'integer' && !Number.isInteger(number)))
          return wrong(`${type.type === 'integer' ? 'an integer' : 'a number'}`);
        if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(number)) {
          this.problem(path, `${number} is not one of the values AWS allows: ${type.allowedValues.join(', ')}`);
        }
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') wrong('a boolean (true or false)');
        return;
      case 'null':
        if (value !== null) wrong('null');
        return;
      case 'json':
        this.scan(value, path, scope);
        return;
      case 'tag':
        return this.checkProperties(value, TAG_PROPERTIES, 'a tag', path, scope);
      case 'ref': {
        const definition = this.spec.definition(type);
        return this.checkProperties(value, definition.properties, definition.name, path, scope);
      }
      case 'array':
        if (!Array.isArray(value)) return wrong(`a list of ${typeName(this.spec, type.element)}`);
        value.forEach((item, index) => this.checkValue(item, type.element, `${path}[${index}]`, scope));
        return;
      case 'map':
        if (!isObject(value)) return wrong(`a map of ${typeName(this.spec, type.element)}`);
        for (const [key, item] of Object.entries(value)) this.checkValue(item, type.element, `${path}.${key}`, scope);
        return;
    }
  }

  accepts(type: PropertyType, kind: Kind): boolean {
    if (kind === 'any' || kind === 'novalue') return true;
    switch (type.type) {
      case 'union':
        return type.types.some((member) => this.accepts(member, kind));
      case 'json':
        return true;
      case 'array':
        return kind === 'list';
      case 'string':
      case 'number':
      case 'integer':
      case 'boolean':
      case 'date-time':
        return kind === 'string';
      default:
        return false;
    }
  }
}

/** The tag type of the older resource specification: {Key, Value}. */
const TAG_PROPERTIES: Record<string, Property> = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};

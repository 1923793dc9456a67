/**
 * AWS's published CloudFormation resource schemas, as the npm package @aws-cdk/aws-service-spec
 * carries them (the registry schemas every resource type publishes, merged with the older
 * resource specification; loaded offline from the package's db.json.gz).
 *
 * What the data holds, and so what the gate can prove: every resource type, its properties
 * (required or not, their types: string, number, integer, boolean, json, date-time, tag, a
 * named structure, list, map, union; string and integer enums where the schema has them),
 * and its attributes (what Fn::GetAtt may ask for, with their types).
 *
 * What it does not hold: per-region or per-partition availability. Its `region` entities are
 * us-east-1, us-east-2 and us-west-2 only, and the resources linked to us-east-1 are a subset
 * that leaves out, for example, AWS::DynamoDB::Table; that is not availability data, so the
 * gate does not claim to check that a type exists in GovCloud.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Attribute, Property, PropertyType, Resource, TypeDefinition } from '@aws-cdk/service-spec-types';

export type { Attribute, Property, PropertyType, Resource, TypeDefinition };

export interface ResourceSpec {
  /** The schema of a resource type; undefined when AWS publishes no such type. */
  resource(cloudFormationType: string): Resource | undefined;
  /** The named structure a `ref` property type points at. */
  definition(type: Extract<PropertyType, { type: 'ref' }>): TypeDefinition;
}

let loaded: ResourceSpec | undefined;

/** Loads the database once per process (about 1.5 s). */
export function resourceSpec(): ResourceSpec {
  if (loaded) return loaded;
  const db = loadAwsServiceSpecSync();
  const byType = new Map<string, Resource | undefined>();
  loaded = {
    resource(cloudFormationType) {
      if (!byType.has(cloudFormationType)) {
        const found = db.lookup('resource', 'cloudFormationType', 'equals', cloudFormationType);
        byType.set(cloudFormationType, found.length === 1 ? found[0] : undefined);
      }
      return byType.get(cloudFormationType);
    },
    definition(type) {
      return db.get('typeDefinition', type.reference.$ref);
    },
  };
  return loaded;
}

/** How a person reads a property type in a message: "string", "list of string", "ListenerCertificate". */
export function typeName(spec: ResourceSpec, type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return `list of ${typeName(spec, type.element)}`;
    case 'map':
      return `map of ${typeName(spec, type.element)}`;
    case 'union':
      return type.types.map((member) => typeName(spec, member)).join(' or ');
    case 'ref':
      return `object (${spec.definition(type).name})`;
    case 'tag':
      return 'tag ({Key, Value})';
    default:
      return type.type;
  }
}

/**
 * Templates that CloudFormation accepts but that fail on a real account, by rules AWS documents:
 *
 * - Resources that get a public address in a VPC must depend on the VPC's internet gateway
 *   attachment: "Elastic Load Balancing load balancers, Elastic IP addresses, ... Amazon VPC
 *   routes that include the internet gateway" (When a DependsOn attribute is required,
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html#gatewayattachment).
 *   Without it the load balancer can be created before the attachment and the create fails.
 * - A resource kept on deletion (DeletionPolicy Retain) whose name is fixed in the template
 *   survives the rollback of a failed first create, and every retry then fails because the name
 *   is taken; RetainExceptOnCreate deletes what the failed create made
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html).
 *   Which properties name a resource comes from its schema's primary identifier.
 * - A resource kept on deletion must also be kept on replacement (UpdateReplacePolicy), or an
 *   update that replaces it deletes the data the DeletionPolicy meant to keep
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html).
 */
import type { ResourceSpec } from './resource-spec.ts';
import { intrinsicName, isObject, type Json, type Problem } from './values.ts';

interface Resource {
  Type?: string;
  Properties?: Json;
  DependsOn?: string | string[];
  DeletionPolicy?: unknown;
  UpdateReplacePolicy?: unknown;
}

/** Every resource id an expression refers to (Ref, Fn::GetAtt, Fn::Sub). */
function references(value: unknown, found = new Set<string>()): Set<string> {
  const fn = intrinsicName(value);
  if (fn === 'Ref' && typeof (value as Json).Ref === 'string') found.add((value as Json).Ref as string);
  else if (fn === 'Fn::GetAtt') {
    const args = (value as Json)['Fn::GetAtt'];
    found.add(Array.isArray(args) ? String(args[0]) : String(args).split('.')[0]!);
  } else if (fn === 'Fn::Sub') {
    const args = (value as Json)['Fn::Sub'];
    const text = Array.isArray(args) ? args[0] : args;
    for (const match of String(text).matchAll(/\$\{([^}!][^}]*)\}/g)) found.add(match[1]!.split('.')[0]!);
    if (Array.isArray(args)) references(args[1], found);
  } else if (Array.isArray(value)) value.forEach((item) => references(item, found));
  else if (isObject(value)) Object.values(value).forEach((item) => references(item, found));
  return found;
}

function dependencyGraph(resources: Record<string, Resource>): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const direct = references(resource.Properties);
    for (const target of [resource.DependsOn ?? []].flat()) direct.add(target);
    graph.set(id, new Set([...direct].filter((target) => target in resources)));
  }
  return graph;
}

function dependsOnTransitively(graph: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const next of graph.get(node) ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        pending.push(next);
      }
    }
  }
  return false;
}

/** Resources of the template that get a public address through the internet gateway `gateway`. */
function publicFacing(id: string, resource: Resource, gateway: string): boolean {
  const properties = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
      // Scheme defaults to internet-facing.
      return properties.Scheme !== 'internal';
    case 'AWS::ElasticLoadBalancing::LoadBalancer':
      return properties.Scheme !== 'internal';
    case 'AWS::EC2::EIP':
      return true;
    case 'AWS::EC2::Route':
      return references(properties.GatewayId).has(gateway);
    default:
      return id === '';
  }
}

export function deployHazards(template: Json, spec: ResourceSpec): Problem[] {
  const problems: Problem[] = [];
  const resources = (isObject(template.Resources) ? template.Resources : {}) as Record<string, Resource>;
  const graph = dependencyGraph(resources);

  for (const [attachmentId, attachment] of Object.entries(resources)) {
    if (attachment.Type !== 'AWS::EC2::VPCGatewayAttachment') continue;
    const gateway = [...references(attachment.Properties?.InternetGatewayId)][0];
    if (!gateway) continue;
    for (const [id, resource] of Object.entries(resources)) {
      if (!publicFacing(id, resource, gateway) || dependsOnTransitively(graph, id, attachmentId)) continue;
      problems.push({
        path: `Resources.${id}.DependsOn`,
        message: `${resource.Type} gets a public address through ${gateway}, so it must depend on the gateway attachment: add "DependsOn: ${attachmentId}" (otherwise it can be created first, and the stack fails)`,
      });
    }
  }

  for (const [id, resource] of Object.entries(resources)) {
    const kept = resource.DeletionPolicy === 'Retain' || resource.DeletionPolicy === 'RetainExceptOnCreate';
    if (!kept) continue;
    const names = (spec.resource(String(resource.Type))?.primaryIdentifier ?? []).filter((name) => resource.Properties?.[name] !== undefined);
    if (resource.DeletionPolicy === 'Retain' && names.length > 0) {
      problems.push({
        path: `Resources.${id}.DeletionPolicy`,
        message: `Retain keeps ${id} after a failed first create, and its fixed ${names.join(', ')} then makes every retry fail (already exists): use RetainExceptOnCreate`,
      });
    }
    if (resource.UpdateReplacePolicy !== 'Retain') {
      problems.push({
        path: `Resources.${id}.UpdateReplacePolicy`,
        message: `${id} is kept on deletion but not on replacement: set "UpdateReplacePolicy: Retain" so an update that replaces it does not delete it`,
      });
    }
  }
  return problems;
}

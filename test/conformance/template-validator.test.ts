/**
 * The gate's reading of intrinsic functions and conditions, on small templates: sound (it
 * accepts what CloudFormation accepts) and strict (it refuses what CloudFormation refuses).
 */
import { describe, expect, it } from '@jest/globals';
import { resourceSpec } from './support/resource-spec.ts';
import { validateTemplate } from './support/template-validator.ts';
import type { Json } from './support/values.ts';

const spec = resourceSpec();

/** A VPC, a subnet and a load balancer whose Subnets (a list of strings) is `subnets`. */
function template(subnets: unknown, extra: Json = {}): Json {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Zones: { Type: 'CommaDelimitedList', Default: 'a,b' }, Name: { Type: 'String', Default: 'x', AllowedPattern: '[a-z]+' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Name' }, 'prod'] } },
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' }, CidrBlock: '10.0.0.0/24' } },
      Lb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal', Subnets: subnets } },
    },
    ...extra,
  };
}
const problems = (t: Json) => validateTemplate(t, spec).map((p) => `${p.path}: ${p.message}`);

describe('where a list is expected', () => {
  it('accepts a list literal and the functions that give lists', () => {
    for (const subnets of [
      [{ Ref: 'Subnet' }, 'subnet-1'],
      { 'Fn::Split': [',', 'subnet-1,subnet-2'] },
      { 'Fn::GetAZs': '' },
      { Ref: 'Zones' },
      { 'Fn::If': ['IsProd', [{ Ref: 'Subnet' }], { Ref: 'AWS::NoValue' }] },
    ]) {
      expect(problems(template(subnets))).toEqual([]);
    }
  });

  it('refuses the functions that give a string', () => {
    expect(problems(template({ 'Fn::Join': [',', ['a', 'b']] }))).toEqual([
      'Resources.Lb.Properties.Subnets: Fn::Join gives a string where list of string is expected',
    ]);
    expect(problems(template({ 'Fn::Sub': 'subnet-${Subnet}' }))).toEqual([
      'Resources.Lb.Properties.Subnets: Fn::Sub gives a string where list of string is expected',
    ]);
  });
});

describe('intrinsic functions', () => {
  it('refuses a function CloudFormation does not have, and a condition function outside Conditions', () => {
    expect(problems(template([{ 'Fn::Concat': ['a', 'b'] }]))).toEqual([
      'Resources.Lb.Properties.Subnets[0].Fn::Concat: Fn::Concat is not a CloudFormation intrinsic function',
    ]);
    expect(problems(template([{ 'Fn::Equals': ['a', 'b'] }]))).toEqual([
      'Resources.Lb.Properties.Subnets[0].Fn::Equals: Fn::Equals is a condition function: it belongs in Conditions (use Fn::If with a condition name here)',
    ]);
  });

  it('refuses Fn::If on a condition that is not defined, and a required property left out by it', () => {
    expect(problems(template({ 'Fn::If': ['IsStaging', [{ Ref: 'Subnet' }], [{ Ref: 'Subnet' }]] }))).toEqual([
      'Resources.Lb.Properties.Subnets.Fn::If: condition "IsStaging" is not defined in Conditions',
    ]);
    const t = template(['subnet-1']);
    (t.Resources as Record<string, Json>).Vpc = { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } };
    (t.Resources as Record<string, Json>).Subnet!.Properties = { VpcId: { 'Fn::If': ['IsProd', { Ref: 'Vpc' }, { Ref: 'AWS::NoValue' }] } };
    expect(problems(t)).toEqual(['Resources.Subnet.Properties.VpcId: Subnet (AWS::EC2::Subnet) requires "VpcId", but it is left out when IsProd is false']);
  });

  it('refuses Conditions that refer to a resource, and a Default that breaks its own pattern', () => {
    const t = template(['subnet-1'], {
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Vpc' }, 'prod'] } },
    });
    (t.Parameters as Record<string, Json>).Name!.Default = 'Not-Lowercase';
    expect(problems(t)).toEqual([
      'Parameters.Name.Default: "Not-Lowercase" does not match AllowedPattern [a-z]+',
      'Conditions.IsProd.Fn::Equals[0].Ref: Conditions may refer to parameters only, not to the resource "Vpc"',
    ]);
  });

  it('refuses a Select past the end of its list, and a FindInMap of a mapping that is not there', () => {
    expect(problems(template([{ 'Fn::Select': [2, ['a', 'b']] }, { 'Fn::FindInMap': ['Zones', 'us-east-1', 'a'] }]))).toEqual([
      'Resources.Lb.Properties.Subnets[0].Fn::Select: index 2 is past the end of a list of 2',
      'Resources.Lb.Properties.Subnets[1].Fn::FindInMap: mapping "Zones" is not defined in Mappings',
    ]);
  });
});

describe('resource attributes', () => {
  it('refuses a DeletionPolicy or UpdateReplacePolicy CloudFormation does not have, and an attribute that is not one', () => {
    const t = template(['subnet-1']);
    Object.assign((t.Resources as Record<string, Json>).Vpc!, { DeletionPolicy: 'Keep', UpdateReplacePolicy: 'RetainExceptOnCreate', Tags: [] });
    expect(problems(t)).toEqual([
      'Resources.Vpc.Tags: is not a resource attribute (Type, Properties, DependsOn, Condition, Metadata, DeletionPolicy, UpdateReplacePolicy, CreationPolicy, UpdatePolicy)',
      'Resources.Vpc.DeletionPolicy: "Keep" is not a valid DeletionPolicy (Delete, Retain, RetainExceptOnCreate, Snapshot)',
      'Resources.Vpc.UpdateReplacePolicy: "RetainExceptOnCreate" is not a valid UpdateReplacePolicy (Delete, Retain, Snapshot)',
    ]);
  });
});

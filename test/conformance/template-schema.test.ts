/**
 * The conformance gate: what passes here is what CloudFormation accepts. The stack is packaged
 * offline exactly as a deploy packages it, in four variants (dev and a prod-like stage with a
 * certificate and a hosted zone, in us-east-1 and in GovCloud's us-gov-west-1), and every
 * template is checked against AWS's published resource schemas (@aws-cdk/aws-service-spec):
 * resource types, properties, required properties, value types and enums, Ref / Fn::GetAtt /
 * Fn::Sub targets and attributes, conditions, DependsOn, and the deployment hazards AWS
 * documents (./support/deploy-hazards.ts).
 *
 * Not checked, because the published data does not say: whether each resource type exists in
 * a given partition (see ./support/resource-spec.ts).
 *
 * The second half proves the gate can fail: each class of error is put into the real packaged
 * template and the gate must name it.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { deployHazards } from './support/deploy-hazards.ts';
import { packagedStack, VARIANTS, type Json, type PackagedStack } from './support/packaged-stack.ts';
import { resourceSpec, type ResourceSpec } from './support/resource-spec.ts';
import { validateTemplate, type Problem } from './support/template-validator.ts';

const spec: ResourceSpec = resourceSpec();
const stacks: Partial<Record<keyof typeof VARIANTS, PackagedStack>> = {};
const variants = Object.keys(VARIANTS) as (keyof typeof VARIANTS)[];

beforeAll(async () => {
  // Two at a time: the machine's two cores, and each packaging bundles nine functions.
  for (let i = 0; i < variants.length; i += 2) {
    await Promise.all(variants.slice(i, i + 2).map(async (name) => (stacks[name] = await packagedStack(VARIANTS[name]))));
  }
}, 600_000);

const report = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`);
const gate = (template: Json) => report([...validateTemplate(template, spec), ...deployHazards(template, spec)]);
const stack = (name: keyof typeof VARIANTS) => stacks[name]!;

describe.each(variants)('the packaged stack, %s', (name) => {
  it('conforms to the CloudFormation resource schemas and has none of the documented deployment hazards', () => {
    expect(gate(stack(name).template)).toEqual([]);
  });

  it("conforms in the template of a stage's first deploy too", () => {
    expect(gate(stack(name).createTemplate)).toEqual([]);
  });
});

describe('the packaged variants', () => {
  it('serve HTTPS and a DNS record only in the prod-like stage, which pins its certificate to its own region and partition', () => {
    const types = (name: keyof typeof VARIANTS) => Object.keys((stack(name).template.Resources as Json) ?? {});
    for (const prod of ['prod', 'govProd'] as const) {
      expect(types(prod)).toEqual(expect.arrayContaining(['HttpsListener', 'TenantWildcardRecord']));
      const certificates = JSON.stringify((stack(prod).template.Resources as Record<string, Json>).HttpsListener);
      expect(certificates).toContain(VARIANTS[prod].params.certificateArn);
    }
    expect(JSON.stringify(stack('govProd').template)).toContain('arn:aws-us-gov:acm:us-gov-west-1:');
    // In dev the listener and record exist in the template under their conditions, which are false.
    expect((stack('dev').template.Conditions as Json).HasCertificate).toEqual({
      'Fn::Or': [{ Condition: 'HasCertificateArn' }, { Condition: 'HasHostedZone' }],
    });
    expect((stack('dev').template.Conditions as Json).HasCertificateArn).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    expect((stack('dev').template.Conditions as Json).HasHostedZone).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
  });

  it('attach an AWS WAF web ACL with the AWS managed common rule set to the load balancer, on unless webAcl is off', () => {
    for (const name of variants) {
      const resources = stack(name).template.Resources as Record<string, Json>;
      expect(resources.WebAclAssociation).toMatchObject({
        Type: 'AWS::WAFv2::WebACLAssociation',
        Condition: 'HasWebAcl',
        Properties: { ResourceArn: { Ref: 'LoadBalancer' }, WebACLArn: { 'Fn::GetAtt': ['WebAcl', 'Arn'] } },
      });
      expect(resources.WebAcl).toMatchObject({
        Type: 'AWS::WAFv2::WebACL',
        Properties: {
          Scope: 'REGIONAL',
          DefaultAction: { Allow: {} },
          Rules: [{ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } } }],
        },
      });
      expect((stack(name).template.Conditions as Json).HasWebAcl).toEqual({ 'Fn::Equals': ['on', 'on'] });
    }
  });

  it('put the subnets in two Fargate zones of the region, by zone ID', () => {
    const zoneIds = (name: keyof typeof VARIANTS) =>
      Object.values(stack(name).template.Resources as Record<string, { Type: string; Properties: Json }>)
        .filter((resource) => resource.Type === 'AWS::EC2::Subnet')
        .map((subnet) => JSON.stringify(subnet.Properties.AvailabilityZoneId));
    expect(zoneIds('dev').join()).toContain('use1-az1,use1-az2');
    expect(zoneIds('govDev').join()).toContain('usgw1-az1,usgw1-az2');
  });
});

/** The dev template with one change, validated. */
function broken(change: (resources: Record<string, { Type: string; Properties: Json; DependsOn?: unknown }>, template: Json) => void): string[] {
  const template = structuredClone(stack('dev').template);
  change(template.Resources as Record<string, { Type: string; Properties: Json }>, template);
  return gate(template);
}

describe('the gate refuses what CloudFormation would refuse', () => {
  it('an unknown property, suggesting the one meant', () => {
    expect(broken((r) => (r.LoadBalancer!.Properties.Subnet = r.LoadBalancer!.Properties.Subnets))).toEqual([
      expect.stringMatching(/^Resources\.LoadBalancer\.Properties\.Subnet: .* has no property "Subnet"; did you mean "Subnets"\?/),
    ]);
  });

  it('a missing required property', () => {
    expect(broken((r) => delete r.TaskExecutionRole!.Properties.AssumeRolePolicyDocument)).toEqual([
      expect.stringMatching(
        /^Resources\.TaskExecutionRole\.Properties\.AssumeRolePolicyDocument: TaskExecutionRole \(AWS::IAM::Role\) requires "AssumeRolePolicyDocument"/,
      ),
    ]);
  });

  it('an attribute the resource type does not have', () => {
    expect(broken((_r, t) => ((t.Outputs as Record<string, Json>).LoadBalancerDnsName!.Value = { 'Fn::GetAtt': ['LoadBalancer', 'DnsName'] }))).toEqual([
      expect.stringMatching(
        /^Outputs\.LoadBalancerDnsName\.Value\.Fn::GetAtt: AWS::ElasticLoadBalancingV2::LoadBalancer has no attribute "DnsName"; did you mean "DNSName"\?/,
      ),
    ]);
  });

  it('a value of the wrong type: a string where a list is expected, a word where a boolean is', () => {
    expect(broken((r) => (r.LoadBalancer!.Properties.Subnets = { Ref: 'PublicSubnetA' }))).toEqual([
      'Resources.LoadBalancer.Properties.Subnets: Ref gives a string where list of string is expected',
    ]);
    expect(broken((r) => ((r.TenantsTable!.Properties.PointInTimeRecoverySpecification as Json).PointInTimeRecoveryEnabled = 'yes'))).toEqual([
      'Resources.TenantsTable.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: expected a boolean (true or false), got "yes"',
    ]);
  });

  it('a value outside the enum the schema publishes', () => {
    expect(broken((r) => (r.StateMachinesLogGroup!.Properties.LogGroupClass = 'COLD'))).toEqual([
      expect.stringMatching(
        /^Resources\.StateMachinesLogGroup\.Properties\.LogGroupClass: "COLD" is not one of the values AWS allows: STANDARD, INFREQUENT_ACCESS/,
      ),
    ]);
  });

  it('an unknown resource type, and a Ref, Fn::Sub variable or DependsOn naming nothing', () => {
    expect(broken((r) => (r.Vpc!.Type = 'AWS::EC2::Vpc'))).toContainEqual(
      expect.stringMatching(/^Resources\.Vpc\.Type: "AWS::EC2::Vpc" is not a resource type/),
    );
    expect(broken((r) => (r.PublicRouteTable!.Properties.VpcId = { Ref: 'VPC' }))).toEqual([
      'Resources.PublicRouteTable.Properties.VpcId.Ref: "VPC" is not a resource, parameter or pseudo parameter of this template',
    ]);
    expect(
      broken(
        (_r, t) => ((t.Outputs as Record<string, Json>).StatusApiUrl!.Value = { 'Fn::Sub': 'https://${HttpApii}.execute-api.${AWS::Region}.amazonaws.com' }),
      ),
    ).toEqual(['Outputs.StatusApiUrl.Value.Fn::Sub ${HttpApii}: "HttpApii" is not a resource, parameter or pseudo parameter of this template']);
    expect(broken((r) => (r.LoadBalancer!.DependsOn = 'InternetGatewayAttachmnt'))).toContainEqual(
      'Resources.LoadBalancer.DependsOn: "InternetGatewayAttachmnt" is not a resource of this template',
    );
  });

  it('a reference to a resource that exists only under a condition, from a place where the condition may be false', () => {
    expect(broken((r) => (r.Cluster!.Properties.ClusterName = { Ref: 'HttpsListener' }))).toEqual([
      expect.stringMatching(/^Resources\.Cluster\.Properties\.ClusterName\.Ref: "HttpsListener" exists only when HasCertificate is true/),
    ]);
  });

  it('a circular dependency', () => {
    expect(broken((r) => (r.Vpc!.DependsOn = 'PublicSubnetA'))).toEqual([expect.stringMatching(/circular dependency: (\w+ -> )+\w+/)]);
  });

  it('an internet-facing load balancer that may be created before the internet gateway is attached', () => {
    expect(broken((r) => delete r.LoadBalancer!.DependsOn)).toEqual([
      expect.stringMatching(/^Resources\.LoadBalancer\.DependsOn: .* must depend on the gateway attachment: add "DependsOn: InternetGatewayAttachment"/),
    ]);
  });

  it('a kept table whose fixed name would make every retry of a failed first deploy fail', () => {
    expect(broken((r) => ((r.TenantsTable as Json).DeletionPolicy = 'Retain'))).toEqual([
      expect.stringMatching(
        /^Resources\.TenantsTable\.DeletionPolicy: Retain keeps TenantsTable after a failed first create, and its fixed TableName .* use RetainExceptOnCreate/,
      ),
    ]);
    expect(broken((r) => delete (r.AppRepository as Json).UpdateReplacePolicy)).toEqual([
      expect.stringMatching(/^Resources\.AppRepository\.UpdateReplacePolicy: AppRepository is kept on deletion but not on replacement/),
    ]);
  });
});

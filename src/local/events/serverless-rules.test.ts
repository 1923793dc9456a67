import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { EventRuleError } from './errors.ts';
import { targetInput } from './input-transformer.ts';
import { matchesPattern } from './pattern.ts';
import { loadServerlessRules, parseServerlessYaml, rulesFromDocument, SERVERLESS_FILE } from './serverless-rules.ts';
import { resolveValue } from './serverless-vars.ts';
import { parseDeployRequest } from '../../deployments/event.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/serverless.yml', import.meta.url));
const local = { stage: 'local', region: 'us-east-1', accountId: '000000000000' };

/**
 * "Event for a completed image push", as the ECR user guide shows it
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html), with
 * the repository and tag of a release of this stack; the page's digest is shortened
 * (60 hex digits), a real one has 64.
 */
const ECR_DOC_PUSH = {
  version: '0',
  id: '13cde686-328b-6117-af20-0e5566167482',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account: '123456789012',
  time: '2019-11-16T01:54:34Z',
  region: 'us-west-2',
  resources: [],
  detail: {
    result: 'SUCCESS',
    'repository-name': 'humangov-local-app',
    'image-digest': 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678',
    'action-type': 'PUSH',
    'image-tag': 'v1.4.0',
  },
};
const IMAGE_REPOSITORY = '123456789012.dkr.ecr.us-west-2.amazonaws.com/humangov-local-app';

const pushEvent = (tag: string, repository = 'humangov-local-app') => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'ECR Image Action',
  source: 'aws.ecr',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: { result: 'SUCCESS', 'repository-name': repository, 'image-digest': `sha256:${'a'.repeat(64)}`, 'action-type': 'PUSH', 'image-tag': tag },
});

describe('event rules read from serverless.yml', () => {
  it('reads CloudFormation short forms as their long forms', () => {
    const doc = parseServerlessYaml("a: !Ref Foo\nb: !GetAtt Foo.Arn\nc: !Join ['', [x, !Ref B]]\nd: !Sub 'arn:${AWS::Region}'\ne: !GetAtt [X, Y]\n");
    expect(doc).toEqual({
      a: { Ref: 'Foo' },
      b: { 'Fn::GetAtt': ['Foo', 'Arn'] },
      c: { 'Fn::Join': ['', ['x', { Ref: 'B' }]] },
      d: { 'Fn::Sub': 'arn:${AWS::Region}' },
      e: { 'Fn::GetAtt': ['X', 'Y'] },
    });
  });

  it('resolves Serverless variables, nested and with fallbacks, and leaves CloudFormation substitutions alone', () => {
    const document = { custom: { repo: 'humangov-${sls:stage}-app', count: '${param:n, 50}', which: 'repo' } };
    const context = { ...local, document };
    expect(resolveValue('${self:custom.repo}', context)).toBe('humangov-local-app');
    expect(resolveValue('${self:custom.${self:custom.which}}', context)).toBe('humangov-local-app');
    expect(resolveValue('${self:custom.count}', context)).toBe(50);
    expect(resolveValue("${opt:stage, 'dev'}-${aws:region}", context)).toBe('local-us-east-1');
    expect(resolveValue('arn:${AWS::Region}:${Table.Arn}', context)).toBe('arn:${AWS::Region}:${Table.Arn}');
    expect(() => resolveValue('${param:missing}', context)).toThrow(EventRuleError);
    expect(() => resolveValue('${ssm:/x}', context)).toThrow(/does not resolve/);
  });

  it("resolves ${param:...} as the framework does: --param, then the stage's params, then params.default", () => {
    const document = { params: { default: { a: 'default-a', b: 'default-b', c: 7 }, local: { a: 'local-a' } } };
    const context = { ...local, document, params: { b: 'cli-b' } };
    expect(resolveValue('${param:a}', context)).toBe('local-a');
    expect(resolveValue('${param:b}', context)).toBe('cli-b');
    expect(resolveValue('${param:c}', context)).toBe(7);
  });

  it('takes every AWS::Events::Rule of the fixture, its pattern resolved for the local stage', async () => {
    const rules = await loadServerlessRules(local, FIXTURE);
    expect(rules.map((r) => [r.id, r.enabled])).toEqual([
      ['ImagePushRule', true],
      ['FailedScanRule', false],
    ]);
    const [push] = rules;
    expect(push?.name).toBe('humangov-local-image-push');
    expect(push?.pattern).toEqual({
      source: ['aws.ecr'],
      'detail-type': ['ECR Image Action'],
      detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['humangov-local-app'], 'image-tag': [{ prefix: 'v' }] },
    });
    expect(push?.targets).toMatchObject([{ id: 'image-deploy', maximumRetryAttempts: 2, maximumEventAgeSeconds: 86_400 }]);
    const target = push?.targets[0];
    const event = pushEvent('v1.2.0');
    expect(target && targetInput(target, event, { name: 'r', arn: 'a' })).toEqual({ event, tag: 'v1.2.0', maxConcurrency: 50, failureThreshold: 1 });
  });

  it('reports a pattern serverless.yml spells wrong, with the rule it is in', () => {
    const document = parseServerlessYaml(
      'resources:\n  Resources:\n    Bad:\n      Type: AWS::Events::Rule\n      Properties:\n        EventPattern:\n          source: aws.ecr\n',
    );
    expect(() => rulesFromDocument({ ...local, document })).toThrow(/Bad\.EventPattern\.source/);
  });

  it('fails with the path when the file is missing', async () => {
    await expect(loadServerlessRules(local, '/nonexistent/serverless.yml')).rejects.toThrow(/\/nonexistent\/serverless\.yml/);
  });

  describe('the project serverless.yml', () => {
    it('has ImagePushRule, matching pushes of v-tags to the local app repository only', async () => {
      const rules = await loadServerlessRules(local, SERVERLESS_FILE);
      const rule = rules.find((r) => r.id === 'ImagePushRule');
      expect(rule).toBeDefined();
      const pattern = rule?.pattern ?? {};
      expect(matchesPattern(pattern, pushEvent('v1.0.0'))).toBe(true);
      expect(matchesPattern(pattern, pushEvent('latest'))).toBe(false);
      expect(matchesPattern(pattern, pushEvent('v1.0.0', 'humangov-dev-app'))).toBe(false);
      expect(matchesPattern(pattern, { ...pushEvent('v1.0.0'), detail: { ...pushEvent('v1.0.0').detail, result: 'FAILURE' } })).toBe(false);
    });

    it('turns an ECR push event, as ECR sends it, into an input image-deploy accepts: the pushed tag and digest deploy', async () => {
      const rules = await loadServerlessRules(local, SERVERLESS_FILE);
      const rule = rules.find((r) => r.id === 'ImagePushRule');
      const target = rule?.targets[0];
      if (!rule || !target) throw new Error('serverless.yml has no ImagePushRule with a target');

      expect(matchesPattern(rule.pattern, ECR_DOC_PUSH)).toBe(true);
      const input = targetInput(target, ECR_DOC_PUSH, { name: rule.name, arn: `arn:aws:events:us-west-2:123456789012:rule/${rule.name}` });
      const request = parseDeployRequest(input, IMAGE_REPOSITORY);

      expect(request.image).toEqual({ repository: IMAGE_REPOSITORY, tag: 'v1.4.0', digest: ECR_DOC_PUSH.detail['image-digest'] });
      expect(request.event.id).toBe(ECR_DOC_PUSH.id);
    });

    it('gives the image-deploy target the input its transformer describes', async () => {
      const rules = await loadServerlessRules(local, SERVERLESS_FILE);
      const target = rules.find((r) => r.id === 'ImagePushRule')?.targets[0];
      expect(target).toBeDefined();
      if (!target) return;
      const event = pushEvent('v2.0.0');
      const input = targetInput(target, event, { name: 'humangov-local-image-push', arn: 'arn' }) as Record<string, unknown>;
      expect(input.event).toEqual(event);
      // The ${param:...} fallbacks apply locally and arrive as numbers, as the template writes them.
      expect(typeof input.maxConcurrency).toBe('number');
      expect(typeof input.failureThreshold).toBe('number');
    });
  });
});

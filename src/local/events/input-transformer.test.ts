/**
 * The local input transformer against AWS's documented behaviour:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * (predefined variables, quoting, paths that match nothing, unescaped values) and
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
 * (at most 100 variables, their names, dot notation, template length, no placeholder as a key).
 */
import { describe, expect, it } from '@jest/globals';
import { EventRuleError } from './errors.ts';
import { targetInput, validateInputTransformer, type InputTransformer } from './input-transformer.ts';

/** The example Amazon EC2 event of the EventBridge input transformation page. */
const EC2_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const RULE = { name: 'example', arn: 'arn:aws:events:us-east-2:123456789012:rule/example', ingestionTime: new Date('2015-11-11T21:29:55.123Z') };
const PATHS = { instance: '$.detail.instance-id', state: '$.detail.state' };

const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = PATHS) =>
  targetInput({ inputTransformer: { InputPathsMap, InputTemplate } }, EC2_EVENT, RULE);

describe('input transformer: predefined variables', () => {
  it('gives <aws.events.event> as the original event without its detail field', () => {
    const { detail: _detail, ...withoutDetail } = EC2_EVENT;

    expect(transform('{"original": <aws.events.event>}')).toEqual({ original: withoutDetail });
  });

  it('gives <aws.events.event.json> as the full original event, detail included', () => {
    expect(transform('{"original": <aws.events.event.json>}')).toEqual({ original: EC2_EVENT });
  });

  it('gives the rule name and ARN, and the ingestion time as an ISO 8601 timestamp of when the bus took the event in', () => {
    expect(transform('{"ruleArn": <aws.events.rule-arn>, "ruleName": "<aws.events.rule-name>", "at": <aws.events.event.ingestion-time>}')).toEqual({
      ruleArn: RULE.arn,
      ruleName: 'example',
      at: '2015-11-11T21:29:55Z',
    });
  });

  it('refuses the event variables inside a string, where their unescaped JSON would break it', () => {
    expect(() => transform('{"message": "got <aws.events.event.json>"}')).toThrow(/only be the value of a JSON field/);
    expect(() => validateInputTransformer({ InputTemplate: '"<aws.events.event>"' }, 'rule R')).toThrow(EventRuleError);
  });
});

describe('input transformer: templates', () => {
  it('fills the documented examples as the page shows them', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('instance i-0123456789 is in RUNNING');
    expect(transform('{"instance": <instance>, "state": <state>}')).toEqual({ instance: 'i-0123456789', state: 'RUNNING' });
    expect(transform('{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}')).toEqual({
      instance: 'i-0123456789',
      state: [9, 'RUNNING', true],
      Transformed: 'Yes',
    });
    expect(transform('{"instance": <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}')).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      instanceStatus: 'instance "i-0123456789" is in RUNNING',
    });
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('example triggered');
  });

  it('puts objects and arrays in as JSON, and selects array elements and wildcards', () => {
    expect(transform('{"detail": <detail>, "first": "<first>", "all": <all>}', { detail: '$.detail', first: '$.resources[0]', all: '$.detail.*' })).toEqual({
      detail: EC2_EVENT.detail,
      first: EC2_EVENT.resources[0],
      all: ['i-0123456789', 'RUNNING'],
    });
  });

  it('creates no variable for a path that matches nothing: nothing stands in its place', () => {
    expect(transform('{"state": "<state>", "zone": "<zone>"}', { ...PATHS, zone: '$.detail.availability-zone' })).toEqual({ state: 'RUNNING', zone: '' });
    expect(() => transform('{"zone": <zone>}', { zone: '$.detail.availability-zone' })).toThrow(/does not give JSON: \{"zone": \}/);
  });

  it('does not escape a value put inside a string (a quote in it breaks the JSON, as on AWS)', () => {
    const event = { ...EC2_EVENT, detail: { ...EC2_EVENT.detail, state: 'say "hi"' } };

    expect(() => targetInput({ inputTransformer: { InputPathsMap: PATHS, InputTemplate: '{"s": "<state>"}' } }, event, RULE)).toThrow(EventRuleError);
    expect(targetInput({ inputTransformer: { InputPathsMap: PATHS, InputTemplate: '{"s": <state>}' } }, event, RULE)).toEqual({ s: 'say "hi"' });
  });

  it('leaves text in angle brackets that names no variable alone', () => {
    expect(transform('"a <b> c <state>"')).toBe('a <b> c RUNNING');
  });
});

describe('input transformer: what PutTargets refuses', () => {
  const valid: InputTransformer = { InputPathsMap: PATHS, InputTemplate: '{"i": <instance>}' };

  it('accepts the documented forms', () => {
    expect(() => validateInputTransformer(valid, 'rule R')).not.toThrow();
    expect(() =>
      validateInputTransformer({ InputPathsMap: { a: '$.detail.image-tag', b: '$.resources[0]', c: '$.detail.*' }, InputTemplate: '"<a>"' }, 'R'),
    ).not.toThrow();
  });

  it('allows at most 100 variables', () => {
    const paths = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, '$.id']));

    expect(() => validateInputTransformer({ InputPathsMap: paths(100), InputTemplate: '"x"' }, 'rule R')).not.toThrow();
    expect(() => validateInputTransformer({ InputPathsMap: paths(101), InputTemplate: '"x"' }, 'rule R')).toThrow(
      /101 variables; EventBridge allows at most 100/,
    );
  });

  it('refuses bracket notation, bad names, names starting with AWS., and a template over 8,192 characters', () => {
    expect(() => validateInputTransformer({ InputPathsMap: { tag: "$.detail['image-tag']" }, InputTemplate: '"<tag>"' }, 'R')).toThrow(/dot notation/);
    expect(() => validateInputTransformer({ InputPathsMap: { 'my.tag': '$.id' }, InputTemplate: '"x"' }, 'R')).toThrow(/must match/);
    expect(() => validateInputTransformer({ InputPathsMap: { 'AWS.x': '$.id' }, InputTemplate: '"x"' }, 'R')).toThrow(/must match/);
    expect(() => validateInputTransformer({ InputTemplate: `"${'x'.repeat(8191)}"` }, 'R')).toThrow(/1 to 8192 characters/);
    expect(() => validateInputTransformer({ InputTemplate: '' }, 'R')).toThrow(/1 to 8192 characters/);
  });

  it('refuses a placeholder used as an object key', () => {
    expect(() => validateInputTransformer({ InputPathsMap: PATHS, InputTemplate: '{<instance>: 1}' }, 'rule R')).toThrow(/cannot be used as an object key/);
    expect(() => validateInputTransformer({ InputPathsMap: PATHS, InputTemplate: '{"<instance>": 1}' }, 'rule R')).toThrow(/object key/);
  });
});

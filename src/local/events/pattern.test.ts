import { describe, expect, it } from '@jest/globals';
import { EventRuleError } from './errors.ts';
import { matchesPattern, validatePattern, type EventPattern } from './pattern.ts';

// Patterns and events after the examples of the EventBridge user guide
// ("Amazon EventBridge event patterns", "Content filtering", "Comparison operators").
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    FileName: 'image.png',
    location: 'New York',
    responseElements: null,
    eventVersion: '',
  },
};

function matches(pattern: EventPattern, event: unknown = ec2Event): boolean {
  validatePattern(pattern);
  return matchesPattern(pattern, event);
}

describe('EventBridge pattern matching', () => {
  it('matches exact values, with a list meaning any of them, and every key required', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['stopped', 'terminated'] } })).toBe(
      true,
    );
    expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } })).toBe(false);
    expect(matches({ source: ['aws.ec2'], detail: { 'no-such-field': ['x'] } })).toBe(false);
    expect(matches({ detail: { 'c-count': [5] } })).toBe(true);
    expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false); // a string is not the number
  });

  it('matches an event array when it shares a value with the pattern', () => {
    expect(
      matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'arn:aws:ec2:us-west-1:123456789012:instance/i-other'] }),
    ).toBe(true);
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-other'] })).toBe(false);
  });

  it('matches null and the empty string', () => {
    expect(matches({ detail: { responseElements: [null] } })).toBe(true);
    expect(matches({ detail: { eventVersion: [''] } })).toBe(true);
    expect(matches({ detail: { state: [null] } })).toBe(false);
  });

  it('matches prefixes and suffixes, also ignoring case', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(false);
    expect(matches({ detail: { FileName: [{ suffix: '.png' }] } })).toBe(true);
    expect(matches({ detail: { FileName: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } })).toBe(true);
    expect(matches({ 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] })).toBe(true);
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } })).toBe(false); // prefix is for strings
  });

  it('matches equals-ignore-case and wildcards', () => {
    expect(matches({ detail: { location: [{ 'equals-ignore-case': 'new york' }] } })).toBe(true);
    expect(matches({ detail: { FileName: [{ wildcard: '*.png' }] } })).toBe(true);
    expect(matches({ detail: { FileName: [{ wildcard: 'dir/*.png' }] } })).toBe(false);
    expect(
      matchesPattern(
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myBus' },
      ),
    ).toBe(true);
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matchesPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' })).toBe(false);
  });

  it('matches anything-but a value, a list, a prefix, a suffix, ignoring case', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } })).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } })).toBe(false);
    expect(matches({ detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'TERMINATED'] } }] } })).toBe(false);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false); // the field must be there
  });

  it('matches numeric ranges', () => {
    expect(
      matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 301.8] }] } }),
    ).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } })).toBe(false);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } })).toBe(false);
  });

  it('matches IP addresses against CIDR blocks', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
    expect(matchesPattern({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' })).toBe(true);
  });

  it('matches whether a field exists', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { 'no-such-field': [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: [{ exists: true }] })).toBe(false); // only leaves exist, not objects
  });

  it('matches $or of sub-patterns, alongside other keys', () => {
    const pattern = {
      source: ['aws.ec2'],
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['>', 0, '<=', 5] }] }],
      },
    };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] } })).toBe(false);
    expect(matches({ $or: [{ source: ['aws.s3'] }, { 'detail-type': [{ prefix: 'EC2' }] }] })).toBe(true);
  });

  it('matches nested patterns against each element of an array of objects', () => {
    const event = { detail: { items: [{ name: 'a' }, { name: 'b' }] } };
    expect(matchesPattern({ detail: { items: { name: ['b'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { items: { name: ['c'] } } }, event)).toBe(false);
  });

  it('rejects patterns EventBridge would reject, naming the place', () => {
    expect(() => validatePattern({ detail: { 'image-tag': [{ prefx: 'v' }] } })).toThrow(EventRuleError);
    expect(() => validatePattern({ detail: { 'image-tag': [{ prefx: 'v' }] } })).toThrow(/EventPattern\.detail\.image-tag\[0\]: unknown operator "prefx"/);
    expect(() => validatePattern({ source: 'aws.ecr' })).toThrow(/must be in a list/);
    expect(() => validatePattern({ n: [{ numeric: ['>>', 1] }] })).toThrow(/numeric/);
    expect(() => validatePattern({ ip: [{ cidr: '10.0.0.0/99' }] })).toThrow(/CIDR/);
    expect(() => validatePattern({ $or: [{ a: ['x'] }] })).toThrow(/at least two/);
    expect(() => validatePattern({ a: [] })).toThrow(/empty list/);
  });
});

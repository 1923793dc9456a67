import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { tempHome, waitFor } from '../data/testing.ts';
import { EventRuleError } from './errors.ts';
import { LocalEventBus, type RuleDelivery } from './event-bus.ts';
import { EventSpool } from './spool.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/serverless.yml', import.meta.url));

const push = (tag: string) => ({
  Source: 'aws.ecr',
  DetailType: 'ECR Image Action',
  Detail: JSON.stringify({
    result: 'SUCCESS',
    'repository-name': 'humangov-local-app',
    'image-digest': `sha256:${'b'.repeat(64)}`,
    'action-type': 'PUSH',
    'image-tag': tag,
  }),
});

describe('LocalEventBus', () => {
  let bus: LocalEventBus | undefined;
  const logs: Record<string, unknown>[] = [];
  afterEach(async () => {
    await bus?.close();
    logs.length = 0;
  });

  const start = () => LocalEventBus.fromServerless({ stage: 'local', region: 'us-east-1', accountId: '000000000000', file: FIXTURE, log: (e) => logs.push(e) });

  it('delivers a matching event to the rule handler as EventBridge would, with the transformed input', async () => {
    bus = await start();
    const deliveries: RuleDelivery[] = [];
    bus.onRule('ImagePushRule', async (delivery) => {
      deliveries.push(delivery);
    });
    const result = await bus.putEvents([push('v1.0.0')]);
    await bus.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries[0]?.matchedRules).toEqual(['ImagePushRule']);
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries as [RuleDelivery];
    expect(delivery.event).toEqual({
      version: '0',
      id: result.Entries[0]?.EventId,
      'detail-type': 'ECR Image Action',
      source: 'aws.ecr',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: JSON.parse(push('v1.0.0').Detail),
    });
    expect(delivery).toMatchObject({ ruleId: 'ImagePushRule', targetId: 'image-deploy', input: { event: delivery.event, tag: 'v1.0.0', maxConcurrency: 50 } });
  });

  it('delivers nothing for an event no enabled rule matches', async () => {
    bus = await start();
    let calls = 0;
    bus.onRule('ImagePushRule', async () => {
      calls += 1;
    });
    const result = await bus.putEvents([push('latest'), { Source: 'aws.ecr', DetailType: 'ECR Image Scan', Detail: '{}' }]);
    await bus.idle();
    expect(result.Entries.map((e) => e.matchedRules)).toEqual([[], []]); // FailedScanRule is DISABLED
    expect(calls).toBe(0);
  });

  it('retries a failing target within its RetryPolicy, then drops the event and logs it', async () => {
    bus = new LocalEventBus({ rules: (await start()).rules, retryBaseMs: 1, retryMaxMs: 5, log: (e) => logs.push(e) });
    let calls = 0;
    bus.onRule('ImagePushRule', async () => {
      calls += 1;
      throw new Error('state machine unavailable');
    });
    await bus.putEvents([push('v1.0.1')]);
    await bus.idle();
    expect(calls).toBe(3); // the first attempt and MaximumRetryAttempts: 2
    expect(logs.at(-1)).toMatchObject({ level: 'ERROR', rule: 'ImagePushRule', error: 'state machine unavailable' });
  });

  it('answers entry errors like PutEvents and refuses handlers for rules that do not exist', async () => {
    bus = await start();
    const result = await bus.putEvents([{ Source: 'aws.ecr', DetailType: 'x', Detail: 'not json' }]);
    expect(result).toEqual({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not a JSON object', matchedRules: [] }] });
    expect(() => bus?.onRule('ImagePushRul', async () => undefined)).toThrow(EventRuleError);
    expect(() => bus?.onRule('ImagePushRul', async () => undefined)).toThrow(/ImagePushRule, FailedScanRule/);
  });
});

describe('LocalEventBus across processes', () => {
  it('delivers in the consuming bus what a publishing bus put, also when published before consuming began', async () => {
    const home = await tempHome();
    const opts = { stage: 'local', region: 'us-east-1', accountId: '000000000000', file: FIXTURE, log: () => undefined };
    const publisher = await LocalEventBus.fromServerless({ ...opts, publishTo: new EventSpool(home.home) });
    const consumer = await LocalEventBus.fromServerless(opts);
    try {
      const deliveries: RuleDelivery[] = [];
      consumer.onRule('ImagePushRule', async (delivery) => {
        deliveries.push(delivery);
      });
      const early = await publisher.putEvents([push('v1.0.0')]);
      expect(early.Entries[0]?.matchedRules).toEqual(['ImagePushRule']); // known to the publisher without delivering
      consumer.consume(new EventSpool(home.home), { intervalMs: 10 });
      const late = await publisher.putEvents([push('v1.0.1'), push('latest')]);
      await waitFor(() => deliveries.length >= 2, 2_000, 'two deliveries');
      expect(deliveries.map((d) => d.event.id)).toEqual([early.Entries[0]?.EventId, late.Entries[0]?.EventId]);
      expect(await new EventSpool(home.home).take()).toEqual([]);
    } finally {
      await consumer.close();
      await publisher.close();
      await home.remove();
    }
  });
});

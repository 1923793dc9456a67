/**
 * The LoadBalancerPort contract (src/cloud/ports.ts): target groups and listener rules are
 * ensured idempotently, each rule at a priority no other rule holds; deleting a missing rule or
 * group is done; a group still used by a rule is not ready to be deleted; a name ELB refuses is
 * refused for good; a tenant is served under the host hostFor names, and a host no rule matches
 * is not served.
 */
import { describe, expect, it } from '@jest/globals';
import { NotReadyError, PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { LoadBalancerPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

/** `outage`: the port on the same service while it throttles, where the implementation has a service. */
export function loadBalancerContract(implementation: string, make: Factory<Subject<LoadBalancerPort>>, outage?: Factory<Subject<LoadBalancerPort>>): void {
  describe(`LoadBalancerPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<Subject<LoadBalancerPort>> => using(make());

    it('ensures a target group and a listener rule idempotently, each rule at its own priority', async () => {
      const { port } = await open();

      const group = await port.ensureTargetGroup({ name: 'hg-test-ca', tags: { 'humangov:tenant': 'ca' } });
      expect(group).toEqual({ arn: expect.stringMatching(/^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/hg-test-ca\/[0-9a-f]+$/) });
      await expect(port.ensureTargetGroup({ name: 'hg-test-ca', tags: { 'humangov:tenant': 'ca' } })).resolves.toEqual(group);
      const rule = await port.ensureListenerRule({ tenantId: 'ca', host: port.hostFor('ca'), targetGroupArn: group.arn, tags: {} });
      await expect(port.ensureListenerRule({ tenantId: 'ca', host: port.hostFor('ca'), targetGroupArn: group.arn, tags: {} })).resolves.toEqual(rule);

      const other = await port.ensureTargetGroup({ name: 'hg-test-ny', tags: {} });
      const otherRule = await port.ensureListenerRule({ tenantId: 'ny', host: port.hostFor('ny'), targetGroupArn: other.arn, tags: {} });
      expect(otherRule.priority).not.toBe(rule.priority);
      expect(otherRule.arn).not.toBe(rule.arn);
      expect(await port.describeTargetHealth(group.arn)).toEqual([]);
    });

    it('treats deleting a missing rule or group, or deleting twice, as done', async () => {
      const { port } = await open();
      const group = await port.ensureTargetGroup({ name: 'hg-test-ca', tags: {} });
      await port.ensureListenerRule({ tenantId: 'ca', host: port.hostFor('ca'), targetGroupArn: group.arn, tags: {} });

      await expect(port.deleteListenerRule('none')).resolves.toBeUndefined();
      await expect(port.deleteTargetGroup('hg-test-none')).resolves.toBeUndefined();
      await port.deleteListenerRule('ca');
      await expect(port.deleteListenerRule('ca')).resolves.toBeUndefined();
      await port.deleteTargetGroup('hg-test-ca');
      await expect(port.deleteTargetGroup('hg-test-ca')).resolves.toBeUndefined();
    });

    it('answers NotReadyError to deleting a target group a rule still uses, and deletes it once the rule is gone', async () => {
      const { port } = await open();
      const group = await port.ensureTargetGroup({ name: 'hg-test-ca', tags: {} });
      await port.ensureListenerRule({ tenantId: 'ca', host: port.hostFor('ca'), targetGroupArn: group.arn, tags: {} });

      await expect(port.deleteTargetGroup('hg-test-ca')).rejects.toBeInstanceOf(NotReadyError);
      await port.deleteListenerRule('ca');

      await expect(port.deleteTargetGroup('hg-test-ca')).resolves.toBeUndefined();
      await expect(port.ensureTargetGroup({ name: 'hg-test-ca', tags: {} })).resolves.toEqual({ arn: expect.stringContaining(':targetgroup/hg-test-ca/') });
    });

    it('refuses for good a target group name ELB does not accept', async () => {
      const { port } = await open();

      await expect(port.ensureTargetGroup({ name: 'hg_test_ca', tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
      await expect(port.ensureTargetGroup({ name: `hg-${'x'.repeat(30)}`, tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
      await expect(port.ensureTargetGroup({ name: '-hg-test', tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    });

    it('serves a tenant under its own host, and serves nothing for a host no rule matches', async () => {
      const { port } = await open();

      expect(port.hostFor('ca')).toMatch(/^ca\./);
      expect(new URL(port.endpointFor('ca')).hostname).toBe(port.hostFor('ca'));
      const probe = await port.probeHealth('none');
      expect(probe.status).toBeGreaterThanOrEqual(400);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.ensureTargetGroup({ name: 'hg-test-ca', tags: {} })).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteListenerRule('ca')).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteTargetGroup('hg-test-ca')).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}

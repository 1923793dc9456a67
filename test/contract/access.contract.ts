/**
 * The AccessPort contract (src/cloud/ports.ts): ensureTaskRole is idempotent, answers the role's
 * ARN and leaves exactly the spec's policy inline; deleting a missing role is done; a name IAM
 * refuses is refused for good; an outage is transient.
 */
import { describe, expect, it } from '@jest/globals';
import { PermanentCloudError, TransientCloudError } from '../../src/cloud/errors.ts';
import type { AccessPort, PolicyDocument } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface AccessSubject extends Subject<AccessPort> {
  /** The role's inline policies by name, or undefined when there is no such role. */
  inlinePolicies(roleName: string): Promise<PolicyDocument[] | undefined>;
}

const roleName = 'humangov-test-ca-task';
const policy = (...actions: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'OwnTable', Effect: 'Allow', Action: actions, Resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/humangov-test-tenant-ca' }],
});

export function accessContract(implementation: string, make: Factory<AccessSubject>, outage?: Factory<Subject<AccessPort>>): void {
  describe(`AccessPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<AccessSubject> => using(make());

    it('creates the role, and ensures it again idempotently with exactly the new policy inline', async () => {
      const { port, inlinePolicies } = await open();

      const first = await port.ensureTaskRole({ roleName, policy: policy('dynamodb:GetItem', 'dynamodb:PutItem'), tags: { 'humangov:tenant': 'ca' } });
      expect(first).toEqual({ arn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/humangov-test-ca-task$/) });
      expect(await inlinePolicies(roleName)).toEqual([policy('dynamodb:GetItem', 'dynamodb:PutItem')]);

      await expect(port.ensureTaskRole({ roleName, policy: policy('dynamodb:GetItem'), tags: { 'humangov:tenant': 'ca' } })).resolves.toEqual(first);
      expect(await inlinePolicies(roleName)).toEqual([policy('dynamodb:GetItem')]);
    });

    it('treats deleting a missing role, or deleting twice, as done, and creates the role again afterwards', async () => {
      const { port, inlinePolicies } = await open();

      await expect(port.deleteTaskRole('humangov-test-none-task')).resolves.toBeUndefined();
      const { arn } = await port.ensureTaskRole({ roleName, policy: policy('dynamodb:GetItem'), tags: {} });
      await port.deleteTaskRole(roleName);
      await expect(port.deleteTaskRole(roleName)).resolves.toBeUndefined();
      expect(await inlinePolicies(roleName)).toBeUndefined();

      await expect(port.ensureTaskRole({ roleName, policy: policy('dynamodb:GetItem'), tags: {} })).resolves.toEqual({ arn });
    });

    it('refuses for good a role name IAM does not accept', async () => {
      const { port } = await open();

      await expect(port.ensureTaskRole({ roleName: 'no spaces allowed', policy: policy('dynamodb:GetItem'), tags: {} })).rejects.toBeInstanceOf(
        PermanentCloudError,
      );
      await expect(port.ensureTaskRole({ roleName: 'x'.repeat(65), policy: policy('dynamodb:GetItem'), tags: {} })).rejects.toBeInstanceOf(PermanentCloudError);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.ensureTaskRole({ roleName, policy: policy('dynamodb:GetItem'), tags: {} })).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteTaskRole(roleName)).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}

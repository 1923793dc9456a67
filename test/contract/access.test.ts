/** The AccessPort contract against the fake, the local adapter (roles as records), and the AWS adapter over IAM's documented answers. */
import { IamAccess } from '../../src/aws/access.ts';
import type { PolicyDocument } from '../../src/cloud/ports.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { RecordedRoles } from '../../src/local/iam/recorded-roles.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { accessContract } from './access.contract.ts';
import { IamModel } from './aws/iam.ts';

accessContract('the fake', async () => {
  const cloud = new FakeCloud();
  return {
    port: cloud.access,
    inlinePolicies: async (name) => {
      const role = cloud.access.roles.get(name);
      return role && [role.policy];
    },
    close: async () => undefined,
  };
});

accessContract('the local adapter', async () => {
  const home = await tempHome();
  const access = new RecordedRoles({ home: home.home });
  return {
    port: access,
    inlinePolicies: async (name) => {
      const role = await access.roleOf(name);
      return role && [role.policy];
    },
    close: () => home.remove(),
  };
});

const aws = { region: 'us-east-1', accountId: '123456789012', permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/humangov-test-task-boundary' };
accessContract(
  'the AWS adapter over IAM',
  async () => {
    const iam = new IamModel();
    return {
      port: new IamAccess({ ...aws, client: iam.client }),
      inlinePolicies: async (name) => {
        const role = iam.roles.get(name);
        return role && [...role.policies.values()].map((document) => JSON.parse(document) as PolicyDocument);
      },
      close: async () => undefined,
    };
  },
  async () => ({ port: new IamAccess({ ...aws, client: new IamModel({ throttling: true }).client }), close: async () => undefined }),
);

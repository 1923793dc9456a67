/** The LogsPort contract against the fake, the local adapter (log groups as directories), and the AWS adapter over CloudWatch Logs' documented answers. */
import { CloudWatchLogGroups } from '../../src/aws/logs.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { FileLogGroups } from '../../src/local/logs/file-log-groups.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { CloudWatchLogsModel } from './aws/logs.ts';
import { logsContract } from './logs.contract.ts';

logsContract('the fake', async () => {
  const cloud = new FakeCloud();
  return {
    port: cloud.logs,
    describe: async (name) => {
      const group = cloud.logs.groups.get(name);
      return group && { retentionDays: group.retentionDays, tags: group.tags };
    },
    close: async () => undefined,
  };
});

logsContract('the local adapter', async () => {
  const home = await tempHome();
  const logs = new FileLogGroups({ home: home.home });
  return {
    port: logs,
    describe: async (name) => {
      const group = await logs.describeLogGroup(name);
      return group && { retentionDays: group.retentionDays, tags: group.tags };
    },
    close: () => home.remove(),
  };
});

const aws = { region: 'us-east-1', accountId: '123456789012' };
logsContract(
  'the AWS adapter over CloudWatch Logs',
  async () => {
    const model = new CloudWatchLogsModel();
    return {
      port: new CloudWatchLogGroups({ ...aws, client: model.client }),
      describe: async (name) => {
        const group = model.groups.get(name);
        return group && { retentionDays: group.retentionDays ?? 0, tags: group.tags };
      },
      close: async () => undefined,
    };
  },
  async () => ({ port: new CloudWatchLogGroups({ ...aws, client: new CloudWatchLogsModel({ throttling: true }).client }), close: async () => undefined }),
);

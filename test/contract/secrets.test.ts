/**
 * The SecretsPort contract against the fake and against the AWS adapter, on the local Secrets
 * Manager (the local provider's own stand-in, which follows the service's documented behaviour)
 * and throttled by a mocked client. The AWS adapter's calls are pinned in src/aws/secrets.test.ts.
 */
import { SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerSecrets } from '../../src/aws/secrets.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { LocalSecretsManager } from '../../src/local/secrets/local-secrets-manager.ts';
import { ensureLocalStackSecret } from '../../src/local/secrets/stack-secret.ts';
import { FakeCloud } from '../support/fake-cloud.ts';
import { secretsContract } from './secrets.contract.ts';

secretsContract('the fake', async () => {
  const cloud = new FakeCloud();
  return {
    port: cloud.secrets,
    read: async (arn) => [...cloud.secrets.items.values()].find((secret) => secret.arn === arn)?.value,
    close: async () => undefined,
  };
});

secretsContract(
  'the AWS adapter on the local Secrets Manager',
  async () => {
    const home = await tempHome();
    const manager = new LocalSecretsManager({ home: home.home, region: 'us-east-1', accountId: '000000000000' });
    const stackSecretArn = await ensureLocalStackSecret(manager, home.home, 'local');
    return {
      port: new SecretsManagerSecrets({ client: manager.asClient(), region: 'us-east-1', stackSecretArn }),
      read: (arn) => manager.currentValue(arn).catch(() => undefined),
      close: () => home.remove(),
    };
  },
  async () => {
    // Throttling is ThrottlingException: https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    mockClient(client)
      .onAnyCommand()
      .rejects(new SecretsManagerServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));
    const stackSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:humangov/test/stack-AbCdEf';
    return { port: new SecretsManagerSecrets({ client, region: 'us-east-1', stackSecretArn }), close: async () => undefined };
  },
);

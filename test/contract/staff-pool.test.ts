/**
 * The StaffPoolPort contract against the fake, the local user pool (a file in a temporary home),
 * and the AWS adapter over Cognito's documented answers (./aws/cognito.ts), throttled too.
 */
import { CognitoStaffPool } from '../../src/aws/staff-pool.ts';
import { tempHome } from '../../src/local/data/testing.ts';
import { LocalStaffPool } from '../../src/local/identity/staff-pool.ts';
import { FakeCloud, type FakeStaffPool } from '../support/fake-cloud.ts';
import { CognitoModel, USER_POOL_ARN } from './aws/cognito.ts';
import { staffPoolContract } from './staff-pool.contract.ts';

staffPoolContract('the fake', async () => {
  const port = new FakeCloud({ staffPool: true }).staffPool as FakeStaffPool;
  return {
    port,
    callbackUrls: async (clientId) => {
      const client = [...port.clients.values()].find((candidate) => candidate.clientId === clientId);
      return client && [client.callbackUrl];
    },
    clientCount: async () => port.clients.size,
    groups: async () => [...port.groups],
    close: async () => undefined,
  };
});

staffPoolContract('the local user pool', async () => {
  const home = await tempHome();
  const port = new LocalStaffPool({ home: home.home, stage: 'test' });
  await port.load();
  // What another run of `npm start` on the same home sees: the file, not this instance's memory.
  const reread = async () => {
    const fresh = new LocalStaffPool({ home: home.home, stage: 'test' });
    await fresh.load();
    return fresh;
  };
  return {
    port,
    callbackUrls: async (clientId) => (await reread()).client(clientId)?.callbackUrls,
    clientCount: async () => (await reread()).clientCount(),
    groups: async () => (await reread()).groupNames(),
    close: () => home.remove(),
  };
});

const stage = { stage: 'test', region: 'us-east-1', userPoolArn: USER_POOL_ARN };
staffPoolContract(
  'the AWS adapter over Cognito',
  async () => {
    const cognito = new CognitoModel();
    return {
      port: new CognitoStaffPool({ ...stage, client: cognito.client }),
      callbackUrls: async (clientId) => cognito.clients.find((client) => client.ClientId === clientId)?.CallbackURLs,
      clientCount: async () => cognito.clients.length,
      groups: async () => [...cognito.groups],
      close: async () => undefined,
    };
  },
  async () => ({ port: new CognitoStaffPool({ ...stage, client: new CognitoModel({ throttling: true }).client }), close: async () => undefined }),
);

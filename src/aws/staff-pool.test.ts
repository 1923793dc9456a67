import { describe, expect, it } from '@jest/globals';
import { UpdateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoModel, USER_POOL_ARN } from '../../test/contract/aws/cognito.ts';
import { CognitoStaffPool } from './staff-pool.ts';

describe('CognitoStaffPool', () => {
  const make = () => {
    const cognito = new CognitoModel();
    return { cognito, pool: new CognitoStaffPool({ stage: 'prod', region: 'us-east-1', userPoolArn: USER_POOL_ARN, client: cognito.client }) };
  };

  it('makes the client the ALB needs: named for the tenant, a secret, the code grant, its scopes, the pool as IdP, one callback URL', async () => {
    const { cognito, pool } = make();

    await pool.ensureTenantClient({ tenantId: 'ca', callbackUrl: 'https://ca.humangov.test/oauth2/idpresponse' });

    expect(cognito.clients).toEqual([
      expect.objectContaining({
        ClientName: 'humangov-prod-ca',
        ClientSecret: expect.any(String),
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
        CallbackURLs: ['https://ca.humangov.test/oauth2/idpresponse'],
      }),
    ]);
  });

  it('rewrites the whole client when it brings it to a new callback URL, as UpdateUserPoolClient resets whatever it is not given', async () => {
    const { cognito, pool } = make();
    await pool.ensureTenantClient({ tenantId: 'ca', callbackUrl: 'https://ca.old.test/oauth2/idpresponse' });
    const [before] = structuredClone(cognito.clients);

    await pool.ensureTenantClient({ tenantId: 'ca', callbackUrl: 'https://ca.humangov.test/oauth2/idpresponse' });

    expect(cognito.clients).toEqual([{ ...before, CallbackURLs: ['https://ca.humangov.test/oauth2/idpresponse'] }]);
  });

  it('sends nothing but reads when the client is already as it should be', async () => {
    const { cognito, pool } = make();
    await pool.ensureTenantClient({ tenantId: 'ca', callbackUrl: 'https://ca.humangov.test/oauth2/idpresponse' });

    await pool.ensureTenantClient({ tenantId: 'ca', callbackUrl: 'https://ca.humangov.test/oauth2/idpresponse' });

    expect(cognito.clients).toHaveLength(1);
    expect(cognito.mock.commandCalls(UpdateUserPoolClientCommand)).toHaveLength(0);
  });
});

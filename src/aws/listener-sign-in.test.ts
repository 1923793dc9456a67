import { CreateRuleCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from '@jest/globals';
import { PermanentCloudError } from '../cloud/errors.ts';
import { ListenerSignInResolver, SESSION_TIMEOUT_SECONDS, SIGN_IN_SCOPE } from './listener-sign-in.ts';

const secrets = mockClient(SecretsManagerClient);
afterEach(() => {
  secrets.reset();
});

const ISSUER = 'https://login.ca.example.gov/realms/staff';
const SECRET_ARN = 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:humangov/prod/idp/ca-AbCdEf';
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth`,
  token_endpoint: `${ISSUER}/protocol/openid-connect/token`,
  userinfo_endpoint: `${ISSUER}/protocol/openid-connect/userinfo`,
};
const pool = { arn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc', domain: 'humangov-prod-123456789012' };

function resolver(options: { userPool?: typeof pool; document?: unknown } = {}) {
  const asked: string[] = [];
  const resolve = new ListenerSignInResolver({
    stage: 'prod',
    region: options.userPool ? 'us-east-1' : 'us-gov-west-1',
    userPool: options.userPool,
    secretsManager: new SecretsManagerClient({ region: 'us-gov-west-1' }),
    fetchJson: async (url) => {
      asked.push(url);
      return options.document ?? discovery;
    },
  });
  return { resolve, asked };
}

describe('ListenerSignInResolver', () => {
  it("makes authenticate-oidc from the state's IdP: endpoints from its discovery document, the client secret read by ARN", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: 's3cr3t' });
    const { resolve, asked } = resolver();

    const action = await resolve.action('ca', { kind: 'oidc', issuer: ISSUER, clientId: 'humangov-ca', clientSecretArn: SECRET_ARN });

    expect(asked).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
    expect(action).toEqual({
      Type: 'authenticate-oidc',
      AuthenticateOidcConfig: {
        Issuer: ISSUER,
        AuthorizationEndpoint: discovery.authorization_endpoint,
        TokenEndpoint: discovery.token_endpoint,
        UserInfoEndpoint: discovery.userinfo_endpoint,
        ClientId: 'humangov-ca',
        ClientSecret: 's3cr3t',
        Scope: SIGN_IN_SCOPE,
        SessionTimeout: SESSION_TIMEOUT_SECONDS,
        OnUnauthenticatedRequest: 'authenticate',
      },
    });
  });

  it("makes authenticate-cognito with the stack's user pool for a state without an IdP of its own", async () => {
    const action = await resolver({ userPool: pool }).resolve.action('tx', { kind: 'user-pool', clientId: 'tx-client' });

    expect(action).toEqual({
      Type: 'authenticate-cognito',
      AuthenticateCognitoConfig: {
        UserPoolArn: pool.arn,
        UserPoolClientId: 'tx-client',
        UserPoolDomain: pool.domain,
        Scope: SIGN_IN_SCOPE,
        SessionTimeout: SESSION_TIMEOUT_SECONDS,
        OnUnauthenticatedRequest: 'authenticate',
      },
    });
  });

  it('refuses the user pool where there is none (AWS GovCloud (US)), saying to give the tenant its own IdP', async () => {
    await expect(resolver().resolve.action('tx', { kind: 'user-pool', clientId: 'tx-client' })).rejects.toThrow(PermanentCloudError);
    await expect(resolver().resolve.action('tx', { kind: 'user-pool', clientId: 'tx-client' })).rejects.toThrow(
      /not available in us-gov-west-1\. Give the tenant its own OIDC identityProvider/,
    );
  });

  it('refuses a client secret outside humangov/<stage>/idp/ before reading anything', async () => {
    const elsewhere = SECRET_ARN.replace('humangov/prod/idp/ca', 'payroll/db-password');

    await expect(resolver().resolve.action('ca', { kind: 'oidc', issuer: ISSUER, clientId: 'c', clientSecretArn: elsewhere })).rejects.toThrow(
      /outside humangov\/prod\/idp\/.*Store the client secret as humangov\/prod\/idp\/ca/,
    );
    expect(secrets.calls()).toHaveLength(0);
  });

  it('refuses a discovery document for another issuer, or with plain-http endpoints', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 's' });
    const idp = { kind: 'oidc' as const, issuer: ISSUER, clientId: 'c', clientSecretArn: SECRET_ARN };

    await expect(resolver({ document: { ...discovery, issuer: 'https://evil.example' } }).resolve.action('ca', idp)).rejects.toThrow(
      /check identityProvider.issuer/,
    );
    await expect(resolver({ document: { ...discovery, token_endpoint: 'http://login.ca.example.gov/token' } }).resolve.action('ca', idp)).rejects.toThrow(
      /https authorization, token and userinfo endpoints/,
    );
  });

  it('says which secret is missing', async () => {
    secrets.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    await expect(resolver().resolve.action('ca', { kind: 'oidc', issuer: ISSUER, clientId: 'c', clientSecretArn: SECRET_ARN })).rejects.toThrow(SECRET_ARN);
  });
});

describe('the actions as the ELBv2 API receives them', () => {
  /** The SDK's own serializer (its service model), stopped before anything is sent. */
  async function serialized(command: CreateRuleCommand): Promise<URLSearchParams> {
    let body = '';
    const client = new ElasticLoadBalancingV2Client({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      requestHandler: {
        handle: async (request: { body?: unknown }) => {
          body = String(request.body);
          throw new Error('captured; nothing is sent');
        },
      },
      maxAttempts: 1,
    });
    await client.send(command).catch(() => undefined);
    return new URLSearchParams(body);
  }

  it('sends authenticate-oidc as Order 1 and the forward as Order 2, in the documented parameter names', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 's3cr3t' });
    const action = await resolver().resolve.action('ca', { kind: 'oidc', issuer: ISSUER, clientId: 'humangov-ca', clientSecretArn: SECRET_ARN });

    const params = await serialized(
      new CreateRuleCommand({
        ListenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/hg/1/2',
        Priority: 7,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['ca.example.gov'] } }],
        Actions: [
          { ...action, Order: 1 },
          { Type: 'forward', TargetGroupArn: 'arn:tg', Order: 2 },
        ],
      }),
    );

    expect(Object.fromEntries([...params].filter(([key]) => key.startsWith('Actions.')))).toEqual({
      'Actions.member.1.Type': 'authenticate-oidc',
      'Actions.member.1.Order': '1',
      'Actions.member.1.AuthenticateOidcConfig.Issuer': ISSUER,
      'Actions.member.1.AuthenticateOidcConfig.AuthorizationEndpoint': discovery.authorization_endpoint,
      'Actions.member.1.AuthenticateOidcConfig.TokenEndpoint': discovery.token_endpoint,
      'Actions.member.1.AuthenticateOidcConfig.UserInfoEndpoint': discovery.userinfo_endpoint,
      'Actions.member.1.AuthenticateOidcConfig.ClientId': 'humangov-ca',
      'Actions.member.1.AuthenticateOidcConfig.ClientSecret': 's3cr3t',
      'Actions.member.1.AuthenticateOidcConfig.Scope': SIGN_IN_SCOPE,
      'Actions.member.1.AuthenticateOidcConfig.SessionTimeout': String(SESSION_TIMEOUT_SECONDS),
      'Actions.member.1.AuthenticateOidcConfig.OnUnauthenticatedRequest': 'authenticate',
      'Actions.member.2.Type': 'forward',
      'Actions.member.2.TargetGroupArn': 'arn:tg',
      'Actions.member.2.Order': '2',
    });
  });
});

/**
 * The stack's Amazon Cognito user pool as the StaffPoolPort: an app client per tenant, and a
 * group per state.
 *
 * One client per tenant, not one shared client whose callback URLs list every tenant: Cognito
 * takes no wildcard callback, and UpdateUserPoolClient replaces the whole client ("If you don't
 * provide a value for an attribute, Amazon Cognito sets it to its default value",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html), so
 * adding a URL to a shared client is a read-modify-write with no condition, and two onboardings
 * at once would lose one tenant's URL. A client of its own is written only by its tenant's
 * workflow, which holds the tenant's lock.
 *
 * CreateUserPoolClient does not keep names unique, so a client is found by its name
 * (ListUserPoolClients, paged) before one is made; a retry after a lost answer finds the one
 * made. The client is what the ALB's authenticate-cognito needs ("Prepare to use Amazon
 * Cognito", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html):
 * a client secret, the code grant, the scopes the rule asks for, and the callback
 * `https://<host>/oauth2/idpresponse` of each name the load balancer answers to.
 */
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  DeleteGroupCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  GroupExistsException,
  ListUserPoolClientsCommand,
  ResourceNotFoundException,
  UpdateUserPoolClientCommand,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaffPoolPort, TenantClientSpec } from '../cloud/ports.ts';
import { awsClient } from './clients.ts';
import { translateAwsError } from './errors.ts';
import { SIGN_IN_SCOPE } from './listener-sign-in.ts';

export interface CognitoStaffPoolOptions {
  stage: string;
  region: string;
  /** The pool's ARN (`arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>`). */
  userPoolArn: string;
  client?: CognitoIdentityProviderClient | undefined;
}

/** The tenant's client's name: deterministic, so a retry finds what an earlier attempt made. */
export function tenantClientName(stage: string, tenantId: string): string {
  return `humangov-${stage}-${tenantId}`;
}

export class CognitoStaffPool implements StaffPoolPort {
  readonly #stage: string;
  readonly #poolId: string;
  readonly #client: CognitoIdentityProviderClient;

  constructor(options: CognitoStaffPoolOptions) {
    this.#stage = options.stage;
    this.#poolId = options.userPoolArn.slice(options.userPoolArn.lastIndexOf('/') + 1);
    this.#client = options.client ?? awsClient(CognitoIdentityProviderClient, { region: options.region });
  }

  async ensureTenantClient(spec: TenantClientSpec): Promise<{ clientId: string }> {
    const name = tenantClientName(this.#stage, spec.tenantId);
    const settings = clientSettings(spec);
    try {
      const [found] = await this.#clientsNamed(name);
      if (!found) {
        const { UserPoolClient } = await this.#client.send(
          new CreateUserPoolClientCommand({ UserPoolId: this.#poolId, ClientName: name, GenerateSecret: true, ...settings }),
        );
        return { clientId: UserPoolClient?.ClientId ?? '' };
      }
      const { UserPoolClient: current } = await this.#client.send(new DescribeUserPoolClientCommand({ UserPoolId: this.#poolId, ClientId: found }));
      if (current && !matches(current, settings)) {
        // The whole client, as UpdateUserPoolClient resets what it is not given.
        await this.#client.send(new UpdateUserPoolClientCommand({ UserPoolId: this.#poolId, ClientId: found, ClientName: name, ...settings }));
      }
      return { clientId: found };
    } catch (error) {
      throw translateAwsError(error, { action: 'cognito-idp:CreateUserPoolClient', resource: `the app client ${name} of user pool ${this.#poolId}` });
    }
  }

  /** Every client of the name goes (a create whose answer was lost and retried may have made two). */
  async deleteTenantClient(tenantId: string): Promise<void> {
    const name = tenantClientName(this.#stage, tenantId);
    try {
      for (const clientId of await this.#clientsNamed(name)) {
        try {
          await this.#client.send(new DeleteUserPoolClientCommand({ UserPoolId: this.#poolId, ClientId: clientId }));
        } catch (error) {
          // Gone since it was listed: what was asked for.
          if (!(error instanceof ResourceNotFoundException)) throw error;
        }
      }
    } catch (error) {
      throw translateAwsError(error, { action: 'cognito-idp:DeleteUserPoolClient', resource: `the app client ${name} of user pool ${this.#poolId}` });
    }
  }

  async ensureTenantGroup(tenantId: string): Promise<void> {
    try {
      await this.#client.send(
        new CreateGroupCommand({ UserPoolId: this.#poolId, GroupName: tenantId, Description: `Staff of HumanGov tenant ${tenantId} (${this.#stage})` }),
      );
    } catch (error) {
      if (error instanceof GroupExistsException) return;
      throw translateAwsError(error, { action: 'cognito-idp:CreateGroup', resource: `the group ${tenantId} of user pool ${this.#poolId}` });
    }
  }

  async deleteTenantGroup(tenantId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteGroupCommand({ UserPoolId: this.#poolId, GroupName: tenantId }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw translateAwsError(error, { action: 'cognito-idp:DeleteGroup', resource: `the group ${tenantId} of user pool ${this.#poolId}` });
    }
  }

  async #clientsNamed(name: string): Promise<string[]> {
    const ids: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.#client.send(new ListUserPoolClientsCommand({ UserPoolId: this.#poolId, MaxResults: 60, NextToken }));
      for (const client of page.UserPoolClients ?? []) if (client.ClientName === name && client.ClientId) ids.push(client.ClientId);
      NextToken = page.NextToken;
    } while (NextToken);
    return ids;
  }
}

function clientSettings(spec: TenantClientSpec) {
  return {
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code' as const],
    AllowedOAuthScopes: SIGN_IN_SCOPE.split(' '),
    SupportedIdentityProviders: ['COGNITO'],
    CallbackURLs: [spec.callbackUrl],
    PreventUserExistenceErrors: 'ENABLED' as const,
    EnableTokenRevocation: true,
  };
}

function matches(current: UserPoolClientType, wanted: ReturnType<typeof clientSettings>): boolean {
  const same = (a: readonly string[] | undefined, b: readonly string[]) => [...(a ?? [])].sort().join(' ') === [...b].sort().join(' ');
  return (
    current.AllowedOAuthFlowsUserPoolClient === true &&
    same(current.AllowedOAuthFlows, wanted.AllowedOAuthFlows) &&
    same(current.AllowedOAuthScopes, wanted.AllowedOAuthScopes) &&
    same(current.SupportedIdentityProviders, wanted.SupportedIdentityProviders) &&
    same(current.CallbackURLs, wanted.CallbackURLs) &&
    current.PreventUserExistenceErrors === wanted.PreventUserExistenceErrors &&
    current.EnableTokenRevocation === wanted.EnableTokenRevocation
  );
}

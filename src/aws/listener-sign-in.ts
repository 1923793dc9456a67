/**
 * The sign-in action of a tenant's listener rule, as the ELBv2 API takes it (CreateRule and
 * ModifyRule `Actions`: AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AuthenticateOidcActionConfig.html).
 *
 * - A state's own IdP (`authenticate-oidc`): the endpoints come from the issuer's discovery
 *   document (OpenID Connect Discovery 1.0, section 4), and the client secret from Secrets
 *   Manager at the moment the rule is made: CreateRule needs it, DescribeRules never returns it,
 *   and the tenant record holds only its ARN. The control plane may read only the secrets under
 *   `humangov/<stage>/idp/` (serverless.yml), and says so when the ARN names another.
 * - Otherwise the stack's user pool (`authenticate-cognito`) with the tenant's own app client
 *   (src/aws/staff-pool.ts), where each state is a group.
 *   Amazon Cognito sign-in at an ALB is not offered in AWS GovCloud (US) (the regions are listed
 *   in "Authenticate users using an Application Load Balancer", "Prepare to use Amazon Cognito"):
 *   there the stack has no user pool and every tenant needs its own OIDC IdP.
 */
import { awsClient } from './clients.ts';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PermanentCloudError, TransientCloudError } from '../cloud/errors.ts';
import type { ListenerSignIn } from '../cloud/ports.ts';
import { translateAwsError } from './errors.ts';
import type { AuthenticateAction } from './listener-rules.ts';

/** The claims the app shows (name, email) come with these scopes; `openid` alone would give only the subject. */
export const SIGN_IN_SCOPE = 'openid email profile';
/** A working day: the ALB asks the IdP again after this (its default is 7 days). */
export const SESSION_TIMEOUT_SECONDS = 8 * 3600;

export interface UserPoolSettings {
  arn: string;
  /** The user pool's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  domain: string;
}

export interface ListenerSignInOptions {
  stage: string;
  region: string;
  /** Absent where the stack has no user pool (AWS GovCloud (US)). */
  userPool?: UserPoolSettings | undefined;
  secretsManager?: SecretsManagerClient;
  /** Replaces the discovery request in tests. */
  fetchJson?: (url: string) => Promise<unknown>;
}

interface DiscoveryDocument {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
}

export class ListenerSignInResolver {
  readonly #options: ListenerSignInOptions;
  readonly #secrets: SecretsManagerClient;
  readonly #fetchJson: (url: string) => Promise<unknown>;

  constructor(options: ListenerSignInOptions) {
    this.#options = options;
    this.#secrets = options.secretsManager ?? awsClient(SecretsManagerClient, { region: options.region });
    this.#fetchJson = options.fetchJson ?? fetchJson;
  }

  async action(tenantId: string, signIn: ListenerSignIn): Promise<AuthenticateAction> {
    if (signIn.kind === 'user-pool') {
      const pool = this.#options.userPool;
      if (!pool) {
        throw new PermanentCloudError(
          `tenant "${tenantId}" has no identityProvider, and this stage has no user pool: Amazon Cognito sign-in at the load balancer is not available in ${this.#options.region}. Give the tenant its own OIDC identityProvider (issuer, clientId, clientSecretArn)`,
        );
      }
      return {
        Type: 'authenticate-cognito',
        AuthenticateCognitoConfig: {
          UserPoolArn: pool.arn,
          // The tenant's own app client (StaffPoolPort), whose one callback URL is this tenant's.
          UserPoolClientId: signIn.clientId,
          UserPoolDomain: pool.domain,
          Scope: SIGN_IN_SCOPE,
          SessionTimeout: SESSION_TIMEOUT_SECONDS,
          OnUnauthenticatedRequest: 'authenticate',
        },
      };
    }
    const prefix = `humangov/${this.#options.stage}/idp/`;
    if (!(signIn.clientSecretArn.split(':secret:')[1] ?? '').startsWith(prefix)) {
      throw new PermanentCloudError(
        `tenant "${tenantId}": identityProvider.clientSecretArn names a secret outside ${prefix}; the control plane reads client secrets only there. Store the client secret as ${prefix}${tenantId} and put that secret's ARN in the record`,
      );
    }
    const [endpoints, clientSecret] = await Promise.all([this.#discover(signIn.issuer), this.#clientSecret(signIn.clientSecretArn)]);
    return {
      Type: 'authenticate-oidc',
      AuthenticateOidcConfig: {
        Issuer: signIn.issuer,
        AuthorizationEndpoint: endpoints.authorization_endpoint,
        TokenEndpoint: endpoints.token_endpoint,
        UserInfoEndpoint: endpoints.userinfo_endpoint,
        ClientId: signIn.clientId,
        ClientSecret: clientSecret,
        Scope: SIGN_IN_SCOPE,
        SessionTimeout: SESSION_TIMEOUT_SECONDS,
        OnUnauthenticatedRequest: 'authenticate',
      },
    };
  }

  async #discover(issuer: string): Promise<DiscoveryDocument> {
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      document = await this.#fetchJson(url);
    } catch (error) {
      throw new TransientCloudError(`the identity provider's discovery document ${url} could not be read; retrying`, { cause: error });
    }
    const found = document as Partial<DiscoveryDocument> | null;
    const endpoints = [found?.authorization_endpoint, found?.token_endpoint, found?.userinfo_endpoint];
    // Discovery section 4.3: the document's issuer must be exactly the one asked about. The ALB takes only https endpoints.
    if (
      found?.issuer?.replace(/\/+$/, '') !== issuer.replace(/\/+$/, '') ||
      !endpoints.every((endpoint) => typeof endpoint === 'string' && endpoint.startsWith('https://'))
    ) {
      throw new PermanentCloudError(
        `${url} does not describe the issuer ${issuer} with https authorization, token and userinfo endpoints: check identityProvider.issuer`,
      );
    }
    return found as DiscoveryDocument;
  }

  async #clientSecret(arn: string): Promise<string> {
    try {
      const { SecretString } = await this.#secrets.send(new GetSecretValueCommand({ SecretId: arn }));
      if (!SecretString) throw new PermanentCloudError(`the client secret ${arn} holds no string: store the IdP's client secret as its SecretString`);
      return SecretString;
    } catch (error) {
      if (error instanceof PermanentCloudError) throw error;
      if (error instanceof ResourceNotFoundException) {
        throw new PermanentCloudError(
          `the client secret ${arn} does not exist: store the IdP's client secret there, or correct identityProvider.clientSecretArn`,
          {
            cause: error,
          },
        );
      }
      throw translateAwsError(error, { action: 'secretsmanager:GetSecretValue', resource: `the client secret ${arn}` });
    }
  }
}

async function fetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

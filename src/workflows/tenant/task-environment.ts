/**
 * What a tenant's task runs: the release image pinned by digest, the app's environment (the
 * original app's names plus TENANT_ID, APP_IMAGE), and its secrets, which the task definition
 * names by ARN and ECS injects when the task starts, so no value sits in a task definition.
 */
import { createHmac } from 'node:crypto';
import type { Platform } from '../../cloud/ports.ts';
import type { TenantResourceNames } from '../../tenants/names.ts';
import type { IdentityProvider, ImageRef } from '../../tenants/schema.ts';
import { StepConfigurationError } from './errors.ts';

/** Fargate's smallest size: the app is a small Node server; raise both together (Fargate pairs them). */
export const TASK_CPU = 256;
export const TASK_MEMORY = 512;
export const LOG_RETENTION_DAYS = 30;

/** The app's variable for its CSRF key (app/src/config.ts), delivered as a secret. */
export const CSRF_SECRET_VARIABLE = 'CSRF_SECRET';
const MIN_SEED_LENGTH = 32;

/** Tags never deploy: a task runs `<repository>@sha256:...`, so what runs is exactly what was verified. */
export function pinnedImage(platform: Platform, release: ImageRef): string {
  return `${platform.imageRepository}@${release.digest}`;
}

/**
 * Where a tenant's CSRF secret lives in Secrets Manager. Every tenant secret of a stage is under
 * `humangov/<stage>/tenants/`, the one prefix the task execution role may read (serverless.yml).
 */
export function tenantSecretName(stage: string, tenantId: string): string {
  return `humangov/${stage}/tenants/${tenantId}/csrf`;
}

/**
 * The tenant's CSRF secret: HMAC-SHA256(stack secret, tenantId), hex. Deterministic, so every
 * task of a tenant (and every new revision, and a re-onboarding) signs and checks tokens with
 * the same key and a redeploy does not invalidate open forms; different per tenant, so a token
 * from one state is worthless at another, and no tenant's task ever sees the stack secret.
 */
export function tenantCsrfSecret(stackSecret: string, tenantId: string): string {
  if (stackSecret.length < MIN_SEED_LENGTH) {
    throw new StepConfigurationError(
      `the stack secret is ${stackSecret.length} characters long; it must be a random string of at least ${MIN_SEED_LENGTH} (serverless.yml generates 64: StackSecret)`,
    );
  }
  return createHmac('sha256', stackSecret).update(tenantId).digest('hex');
}

export interface TaskEnvironmentInput {
  platform: Platform;
  tenantId: string;
  displayName: string;
  names: TenantResourceNames;
  image: string;
  /** The state's own sign-in, from its record. */
  identityProvider?: IdentityProvider | undefined;
}

/**
 * The plain environment the app reads (app/src/config.ts); nothing secret. With sign-in, the app
 * believes only this platform's load balancer, and lets in only the state's own staff: everyone
 * its own IdP signs in, or, with the stack's user pool, the pool's members in the state's group.
 */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  return {
    US_STATE: input.displayName,
    AWS_REGION: input.platform.region,
    AWS_DYNAMODB_TABLE: input.names.table,
    AWS_BUCKET: input.names.bucket,
    TENANT_ID: input.tenantId,
    APP_IMAGE: input.image,
    PORT: String(input.platform.containerPort),
    ...signInEnvironment(input),
  };
}

function signInEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  const signIn = input.platform.signIn;
  if (!signIn) return { SIGN_IN: 'off' };
  const ownIdp = input.identityProvider;
  const issuer = ownIdp?.issuer ?? signIn.issuer;
  if (!issuer) {
    throw new StepConfigurationError(
      `tenant "${input.tenantId}" has no identityProvider and this stage has no user pool (AWS GovCloud (US) has no Cognito sign-in at the load balancer): give the tenant its own OIDC identityProvider`,
    );
  }
  return {
    ALB_ARN: signIn.loadBalancerArn,
    SIGN_IN_ISSUER: issuer,
    ...(ownIdp ? {} : { SIGN_IN_GROUP: input.tenantId }),
    ...(signIn.publicKeyEndpoint ? { ALB_PUBLIC_KEY_ENDPOINT: signIn.publicKeyEndpoint } : {}),
    ...(signIn.signOutUrl ? { SIGN_OUT_URL: signIn.signOutUrl } : {}),
  };
}

/** The variables the app reads from secrets, each naming the secret's ARN. */
export function taskSecrets(input: { csrfSecretArn: string }): Record<string, string> {
  return { [CSRF_SECRET_VARIABLE]: input.csrfSecretArn };
}

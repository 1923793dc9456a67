/**
 * What a tenant's task runs: the release image pinned by digest, and the app's
 * environment (DESIGN.md: the original app's names plus TENANT_ID, APP_IMAGE).
 */
import { createHmac } from 'node:crypto';
import type { Platform } from '../../cloud/ports.ts';
import type { TenantResourceNames } from '../../tenants/names.ts';
import type { ImageRef } from '../../tenants/schema.ts';
import { StepConfigurationError } from './errors.ts';

/** Fargate's smallest size: the app is a small Node server; raise both together (Fargate pairs them). */
export const TASK_CPU = 256;
export const TASK_MEMORY = 512;
export const LOG_RETENTION_DAYS = 30;

/** Environment variable holding the platform secret the per-tenant CSRF secrets are derived from. */
export const CSRF_SEED_VARIABLE = 'CSRF_SECRET_SEED';
const MIN_SEED_LENGTH = 32;

/** Tags never deploy: a task runs `<repository>@sha256:...`, so what runs is exactly what was verified. */
export function pinnedImage(platform: Platform, release: ImageRef): string {
  return `${platform.imageRepository}@${release.digest}`;
}

/**
 * The tenant's CSRF secret: HMAC-SHA256(seed, tenantId), hex. Deterministic, so
 * every task of a tenant (and every new revision) signs and checks tokens with
 * the same key and a redeploy does not invalidate open forms; different per
 * tenant, so a token from one state is worthless at another. The seed comes
 * from CSRF_SECRET_SEED (at least 32 characters) in the compute function's
 * environment. It ends up as a plain variable of the task definition, readable
 * by anyone allowed ecs:DescribeTaskDefinition; the improvement for AWS is a
 * Secrets Manager secret per tenant referenced through the container's
 * `secrets` (the task execution role reads it; the value never leaves AWS).
 */
export function tenantCsrfSecret(seed: string | undefined, tenantId: string): string {
  if (!seed || seed.length < MIN_SEED_LENGTH) {
    throw new StepConfigurationError(
      `${CSRF_SEED_VARIABLE} must be set to a random string of at least ${MIN_SEED_LENGTH} characters (for example \`openssl rand -hex 32\`) in the control plane's environment`,
    );
  }
  return createHmac('sha256', seed).update(tenantId).digest('hex');
}

export interface TaskEnvironmentInput {
  platform: Platform;
  tenantId: string;
  displayName: string;
  names: TenantResourceNames;
  image: string;
  csrfSecret: string;
}

/** The environment the app reads (app/src/config.ts). */
export function taskEnvironment(input: TaskEnvironmentInput): Record<string, string> {
  return {
    US_STATE: input.displayName,
    AWS_REGION: input.platform.region,
    AWS_DYNAMODB_TABLE: input.names.table,
    AWS_BUCKET: input.names.bucket,
    TENANT_ID: input.tenantId,
    APP_IMAGE: input.image,
    PORT: String(input.platform.containerPort),
    CSRF_SECRET: input.csrfSecret,
  };
}

/**
 * The local stack secret, made once per home as CloudFormation makes StackSecret (serverless.yml:
 * GenerateSecretString, 64 letters and digits). A home from before secrets lived here kept the
 * seed in state/csrf-seed; that value becomes the stack secret, so tenants' CSRF keys (and open
 * forms) survive the upgrade.
 */
import { CreateSecretCommand, DescribeSecretCommand, ResourceExistsException } from '@aws-sdk/client-secrets-manager';
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localPaths } from '../settings.ts';
import type { LocalSecretsManager } from './local-secrets-manager.ts';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const stackSecretName = (stage: string): string => `humangov/${stage}/stack`;

/** Creates the stack secret if this home has none; returns its ARN. */
export async function ensureLocalStackSecret(manager: LocalSecretsManager, home: string, stage: string): Promise<string> {
  const name = stackSecretName(stage);
  const legacy = await readFile(join(localPaths(home).state, 'csrf-seed'), 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  const value = legacy || Array.from({ length: 64 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
  try {
    const created = (await manager.send(
      new CreateSecretCommand({ Name: name, SecretString: value, Description: 'HumanGov local: seed of the per-tenant secrets' }),
    )) as {
      ARN: string;
    };
    return created.ARN;
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    return ((await manager.send(new DescribeSecretCommand({ SecretId: name }))) as { ARN: string }).ARN;
  }
}

/**
 * Signed in with the stack's Cognito user pool: the signed header has no groups (Cognito's user
 * info carries none), so the state's group is read from the access token the load balancer
 * forwards beside it, verified against the pool's keys.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildApp } from '../src/app.ts';
import { startLocalAws } from './support/local-aws.ts';
import type { LocalAws } from './support/local-aws.ts';
import { CALIFORNIAN, signedIn, TEST_ISSUER, testPublicKeys } from './support/sign-in.ts';
import { createTenantStorage, testAssets, testConfig } from './support/test-app.ts';

const poolKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const POOL_KID = 'pool-key-1';
const POOL_MEMBER = { ...CALIFORNIAN, groups: [] as string[] };

function accessToken(claims: Record<string, unknown>, key: KeyObject = poolKey.privateKey): string {
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${segment({ alg: 'RS256', kid: POOL_KID })}.${segment({
    iss: TEST_ISSUER,
    token_use: 'access',
    sub: POOL_MEMBER.sub,
    exp: Math.floor(Date.now() / 1000) + 600,
    ...claims,
  })}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

let aws: LocalAws;
let app: FastifyInstance;
let baseUrl: string;
const jwksAsked: string[] = [];

beforeAll(async () => {
  aws = await startLocalAws();
  const config = testConfig(aws, await createTenantStorage(aws));
  app = await buildApp(config, {
    aws: aws.clientsFor(config),
    logger: false,
    assets: await testAssets(),
    publicKeys: testPublicKeys,
    jwks: async (issuer) => {
      jwksAsked.push(issuer);
      return { keys: [{ ...poolKey.publicKey.export({ format: 'jwk' }), kid: POOL_KID }] };
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await aws?.stop();
});

const status = async (headers: Record<string, string>) => (await fetch(`${baseUrl}/api/employees`, { headers })).status;

describe("a user pool member's state group", () => {
  it('comes from the verified access token: the state in its cognito:groups gets in, the pool keys fetched once', async () => {
    expect(await status({ ...signedIn(POOL_MEMBER), 'x-amzn-oidc-accesstoken': accessToken({ 'cognito:groups': ['ca'] }) })).toBe(200);
    expect(await status({ ...signedIn(POOL_MEMBER), 'x-amzn-oidc-accesstoken': accessToken({ 'cognito:groups': ['ca', 'audit'] }) })).toBe(200);
    expect(jwksAsked).toEqual([TEST_ISSUER]);
  });

  it.each([
    ["another state's group", () => accessToken({ 'cognito:groups': ['tx'] }), 403],
    ['no access token', () => undefined, 401],
    ["another person's access token", () => accessToken({ 'cognito:groups': ['ca'], sub: 'someone-else' }), 401],
    [
      'an access token signed with a key not of the pool',
      () => accessToken({ 'cognito:groups': ['ca'] }, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      401,
    ],
    ['an ID token instead of an access token', () => accessToken({ 'cognito:groups': ['ca'], token_use: 'id' }), 401],
    ['an expired access token', () => accessToken({ 'cognito:groups': ['ca'], exp: 1 }), 401],
  ])('refuses %s', async (_, token, expected) => {
    const header = token();

    expect(await status({ ...signedIn(POOL_MEMBER), ...(header ? { 'x-amzn-oidc-accesstoken': header } : {}) })).toBe(expected);
  });
});

/**
 * The load balancer's side of sign-in, for tests: an ES256 key of our own standing in for the
 * region's, and headers signed the way the load balancer signs `x-amzn-oidc-data` (padded
 * base64url segments, `signer` the load balancer's ARN, `kid` naming the key).
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { PublicKeySource } from '../../src/alb-identity.ts';
import type { SignInConfig } from '../../src/config.ts';

export const TEST_ALB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/humangov-test/50dc6c495c0c9188';
export const TEST_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_HumanGov';

export interface Person {
  readonly sub: string;
  readonly name: string;
  readonly email: string;
  readonly groups: readonly string[];
  readonly iss?: string;
}

export const CALIFORNIAN: Person = { sub: 'maria-ca', name: 'María García', email: 'maria@ca.example.gov', groups: ['ca'] };
export const TEXAN: Person = { sub: 'sam-tx', name: 'Sam Houston', email: 'sam@tx.example.gov', groups: ['tx'] };

export const TEST_SIGN_IN: SignInConfig = {
  loadBalancerArn: TEST_ALB_ARN,
  issuer: TEST_ISSUER,
  group: 'ca',
  publicKeyEndpoint: undefined,
  signOutUrl: undefined,
};

const KEY_ID = randomUUID();
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The key source the app is given: ours under our key id, nothing else. */
export const testPublicKeys: PublicKeySource = async (keyId) => {
  if (keyId !== KEY_ID) throw new Error(`no key ${keyId}`);
  return PUBLIC_PEM;
};

export interface SignOptions {
  readonly signer?: string;
  readonly key?: KeyObject;
  readonly expiresInSeconds?: number;
}

/** The header the load balancer forwards for `person`. */
export function oidcData(person: Person = CALIFORNIAN, options: SignOptions = {}): string {
  const exp = Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600);
  const iss = person.iss ?? TEST_ISSUER;
  const header = { alg: 'ES256', kid: KEY_ID, signer: options.signer ?? TEST_ALB_ARN, iss, client: 'humangov', exp };
  const payload = { sub: person.sub, name: person.name, email: person.email, 'cognito:groups': person.groups, exp, iss };
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
  const signed = `${segment(header)}.${segment(payload)}`;
  const signature = sign('sha256', Buffer.from(signed), { key: options.key ?? privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${signature.toString('base64').replaceAll('+', '-').replaceAll('/', '_')}`;
}

/** Request headers of a person the load balancer signed in (a Californian unless named). */
export function signedIn(person: Person = CALIFORNIAN, options: SignOptions = {}): Record<string, string> {
  return { 'x-amzn-oidc-data': oidcData(person, options) };
}

/** A key endpoint as the region's serves the load balancer's keys (`<url>/<kid>` answers the PEM), for an app run as a process. */
export async function startKeyEndpoint(): Promise<{ readonly url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const keyId = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
    if (keyId === KEY_ID) res.writeHead(200, { 'content-type': 'text/plain' }).end(PUBLIC_PEM);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/keys`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

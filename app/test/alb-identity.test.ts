import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { AlbIdentityError, AlbIdentityVerifier, isStaffOf, publicKeyUrl } from '../src/alb-identity.ts';

const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/humangov-prod/50dc6c495c0c9188';
const NOW = Date.parse('2026-12-05T12:00:00Z');
const KID = '7b2b6d8e-1f3a-4c5d-9e8f-0a1b2c3d4e5f';

function keyPair(): { privateKey: KeyObject; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** Signs as the load balancer does: ES256, r||s, base64url segments padded with "=". */
function albToken(privateKey: KeyObject, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const padded = (buffer: Buffer) => buffer.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
  const head = padded(Buffer.from(JSON.stringify(header)));
  const body = padded(Buffer.from(JSON.stringify(payload)));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${padded(signature)}`;
}

const cognitoIssuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example';
const header = { alg: 'ES256', kid: KID, signer: LB_ARN, iss: cognitoIssuer, client: 'client-id', exp: NOW / 1000 + 60 };
const claims = { sub: 'a1b2', email: 'maria@ca.gov', username: 'maria', 'cognito:groups': ['ca'], exp: NOW / 1000 + 60, iss: cognitoIssuer };

describe('AlbIdentityVerifier', () => {
  const lb = keyPair();

  function verifier(pem = lb.pem) {
    const fetched: string[] = [];
    const v = new AlbIdentityVerifier({
      loadBalancerArn: LB_ARN,
      now: () => NOW,
      keys: async (keyId) => {
        fetched.push(keyId);
        return pem;
      },
    });
    return { v, fetched };
  }

  it('reads who signed in from a header signed by this load balancer, fetching its key once by key id', async () => {
    const { v, fetched } = verifier();
    const token = albToken(lb.privateKey, header, claims);

    const identity = await v.verify(token);
    await v.verify(token);

    expect(identity).toEqual({
      subject: 'a1b2',
      issuer: cognitoIssuer,
      email: 'maria@ca.gov',
      name: 'maria',
      groups: ['ca'],
      expiresAt: new Date(NOW + 60_000),
    });
    expect(fetched).toEqual([KID]);
  });

  it.each([
    ['no header at all (a request around the load balancer)', () => undefined, /no x-amzn-oidc-data/],
    [
      'a header signed by another load balancer',
      () => albToken(lb.privateKey, { ...header, signer: LB_ARN.replace('humangov-prod', 'attacker') }, claims),
      /not this load balancer/,
    ],
    ["a header forged with the attacker's own key under the real key id", () => albToken(keyPair().privateKey, header, claims), /bad signature/],
    [
      "claims changed after signing (another state's group)",
      () => {
        const [h, , s] = albToken(lb.privateKey, header, claims).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['tx'] })).toString('base64url')}.${s}`;
      },
      /bad signature/,
    ],
    [
      'an unsigned token (alg none)',
      () => `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
      /not ES256/,
    ],
    ['an expired header', () => albToken(lb.privateKey, { ...header, exp: NOW / 1000 }, { ...claims, exp: NOW / 1000 }), /expired/],
    ['a key id that would change the key URL', () => albToken(lb.privateKey, { ...header, kid: '../../evil' }, claims), /no valid key id/],
  ])('refuses %s', async (_, token, message) => {
    await expect(verifier().v.verify(token())).rejects.toThrow(AlbIdentityError);
    await expect(verifier().v.verify(token())).rejects.toThrow(message);
  });
});

describe('publicKeyUrl', () => {
  it('uses the regional ELB endpoint, and the GovCloud S3 endpoint in us-gov regions', () => {
    expect(publicKeyUrl('us-east-1', KID)).toBe(`https://public-keys.auth.elb.us-east-1.amazonaws.com/${KID}`);
    expect(publicKeyUrl('us-gov-west-1', KID)).toBe(`https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1/${KID}`);
  });
});

describe('isStaffOf', () => {
  const identity = { subject: 's', issuer: cognitoIssuer, email: undefined, name: undefined, groups: ['ca'], expiresAt: new Date(NOW) };

  it("lets in the state's own group and refuses another state's", () => {
    expect(isStaffOf(identity, { issuer: cognitoIssuer, group: 'ca' })).toBe(true);
    expect(isStaffOf(identity, { issuer: cognitoIssuer, group: 'tx' })).toBe(false);
  });

  it("with a state IdP, lets in only that IdP's users", () => {
    expect(isStaffOf({ ...identity, issuer: 'https://login.ca.gov/' }, { issuer: 'https://login.ca.gov' })).toBe(true);
    expect(isStaffOf(identity, { issuer: 'https://login.ca.gov' })).toBe(false);
  });

  it("refuses the state's group name asserted by another IdP", () => {
    expect(isStaffOf({ ...identity, issuer: 'https://idp.example' }, { issuer: cognitoIssuer, group: 'ca' })).toBe(false);
  });
});

/**
 * Who is signed in, from the `x-amzn-oidc-data` header an Application Load Balancer adds after
 * its `authenticate-oidc` or `authenticate-cognito` action (AWS: "Authenticate users using an
 * Application Load Balancer", section "User claims encoding and signature verification",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html).
 *
 * The header is a JWT signed with ES256 by the load balancer. Its header names the key (`kid`),
 * the load balancer that signed it (`signer`, an ARN), the IdP (`iss`) and an expiry (`exp`).
 * The public key is a PEM fetched by key id from the region's endpoint and cached; anyone can
 * put this header on a request that does not come through the load balancer, so nothing in it
 * is believed until the signature, the signer and the expiry check out.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export interface AlbIdentity {
  /** The IdP's subject: the one stable id of the person. */
  readonly subject: string;
  /** The IdP (for Cognito, the user pool's issuer URL). */
  readonly issuer: string;
  readonly email: string | undefined;
  readonly name: string | undefined;
  /** Cognito user pool groups (`cognito:groups`), or an IdP's `groups` claim. */
  readonly groups: readonly string[];
  readonly expiresAt: Date;
}

export class AlbIdentityError extends Error {
  override readonly name = 'AlbIdentityError';
}

/** Fetches the PEM of a key id; injected so tests and the local load balancer can serve their own. */
export type PublicKeySource = (keyId: string) => Promise<string>;

/**
 * The documented key endpoints: `https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`, and in
 * AWS GovCloud (US) `https://s3-<region>.amazonaws.com/aws-elb-public-keys-prod-<region>/<kid>`.
 */
export function publicKeyUrl(region: string, keyId: string): string {
  if (region.startsWith('us-gov-')) return `https://s3-${region}.amazonaws.com/aws-elb-public-keys-prod-${region}/${encodeURIComponent(keyId)}`;
  return `https://public-keys.auth.elb.${region}.amazonaws.com/${encodeURIComponent(keyId)}`;
}

/**
 * Keys from the region's documented endpoint, or from `endpoint` (`<endpoint>/<kid>`) where a
 * stand-in load balancer publishes its own (the local provider's), so the app code is the same.
 */
export function regionalPublicKeys(region: string, endpoint?: string, fetchFn: typeof fetch = fetch): PublicKeySource {
  return async (keyId) => {
    const url = endpoint ? `${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(keyId)}` : publicKeyUrl(region, keyId);
    const response = await fetchFn(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new AlbIdentityError(`the load balancer's public key ${keyId} could not be fetched (HTTP ${response.status})`);
    return response.text();
  };
}

export interface AlbIdentityVerifierOptions {
  /** The ARN of the load balancer whose signature alone is trusted. */
  readonly loadBalancerArn: string;
  readonly keys: PublicKeySource;
  readonly now?: () => number;
}

/** Key ids are UUIDs; anything else is refused before it becomes part of a URL. */
const KEY_ID = /^[A-Za-z0-9-]{1,128}$/;

export class AlbIdentityVerifier {
  readonly #options: AlbIdentityVerifierOptions;
  /** Keys never change under one id, so a fetched key is kept for good (a promise, so concurrent requests fetch once). */
  readonly #keys = new Map<string, Promise<KeyObject>>();

  constructor(options: AlbIdentityVerifierOptions) {
    this.#options = options;
  }

  /** The signed-in person, or AlbIdentityError saying why the header is not to be believed. */
  async verify(header: string | undefined): Promise<AlbIdentity> {
    if (!header) throw new AlbIdentityError("no x-amzn-oidc-data header: the request did not come through the load balancer's sign-in");
    const parts = header.split('.');
    if (parts.length !== 3) throw new AlbIdentityError('x-amzn-oidc-data is not a JWT');
    const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
    const jwtHeader = decodeJson(encodedHeader, 'header');
    if (jwtHeader.alg !== 'ES256') throw new AlbIdentityError(`x-amzn-oidc-data is signed with ${String(jwtHeader.alg)}, not ES256`);
    if (jwtHeader.signer !== this.#options.loadBalancerArn)
      throw new AlbIdentityError(`x-amzn-oidc-data was signed by ${String(jwtHeader.signer)}, not this load balancer`);
    const keyId = jwtHeader.kid;
    if (typeof keyId !== 'string' || !KEY_ID.test(keyId)) throw new AlbIdentityError('x-amzn-oidc-data names no valid key id');

    const key = await this.#key(keyId);
    // ES256 signatures in a JWT are r || s (RFC 7518 section 3.4), which Node calls ieee-p1363.
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, fromBase64Url(encodedSignature))) {
      throw new AlbIdentityError('x-amzn-oidc-data has a bad signature');
    }

    const payload = decodeJson(encodedPayload, 'payload');
    const exp = typeof jwtHeader.exp === 'number' ? jwtHeader.exp : payload.exp;
    const now = (this.#options.now ?? Date.now)();
    if (typeof exp !== 'number' || exp * 1000 <= now) throw new AlbIdentityError('x-amzn-oidc-data has expired: sign in again');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new AlbIdentityError('x-amzn-oidc-data names no subject');
    const issuer = typeof jwtHeader.iss === 'string' ? jwtHeader.iss : typeof payload.iss === 'string' ? payload.iss : '';
    return {
      subject: payload.sub,
      issuer,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      name: typeof payload.name === 'string' ? payload.name : typeof payload.username === 'string' ? payload.username : undefined,
      groups: groupsOf(payload),
      expiresAt: new Date(exp * 1000),
    };
  }

  #key(keyId: string): Promise<KeyObject> {
    let key = this.#keys.get(keyId);
    if (!key) {
      key = this.#options.keys(keyId).then((pem) => createPublicKey(pem));
      // A failed fetch is not kept: the next request tries again.
      key.catch(() => this.#keys.delete(keyId));
      this.#keys.set(keyId, key);
    }
    return key;
  }
}

function groupsOf(payload: Record<string, unknown>): string[] {
  const groups = payload['cognito:groups'] ?? payload.groups;
  return Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
}

/** The load balancer pads its base64url segments with "=", which a strict JWT library refuses; both forms are read here. */
function fromBase64Url(segment: string): Buffer {
  return Buffer.from(segment.replace(/=+$/, ''), 'base64url');
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(fromBase64Url(segment).toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new AlbIdentityError(`x-amzn-oidc-data has an unreadable ${what}`);
}

/**
 * How a state's staff are recognised: signed in with the state's IdP (`issuer`: its own IdP, or
 * the stack's user pool) and, where that IdP serves several states, in the state's `group`.
 */
export interface StaffRule {
  readonly issuer: string;
  readonly group?: string | undefined;
}

/** True only for staff of this state. */
export function isStaffOf(identity: AlbIdentity, rule: StaffRule): boolean {
  if (identity.issuer.replace(/\/+$/, '') !== rule.issuer.replace(/\/+$/, '')) return false;
  return rule.group === undefined || identity.groups.includes(rule.group);
}

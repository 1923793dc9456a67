/**
 * The groups of a person the load balancer signed in with the stack's Cognito user pool. The
 * ALB's `x-amzn-oidc-data` carries the claims of the user info endpoint, and Cognito's user info
 * has no groups; the access token the ALB forwards beside it (`x-amzn-oidc-accesstoken`) does
 * (`cognito:groups`). So that token is verified as Cognito documents ("Verifying a JSON Web
 * Token", https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html):
 * RS256 with the pool's key named by `kid` from `<issuer>/.well-known/jwks.json`, `iss` the pool,
 * `token_use` "access", not expired; and its `sub` must be the person of the signed header.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { AlbIdentityError } from './alb-identity.ts';

export type JwksSource = (issuer: string) => Promise<{ keys: (JsonWebKey & { kid?: string })[] }>;

export async function fetchJwks(issuer: string): Promise<{ keys: (JsonWebKey & { kid?: string })[] }> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`the user pool's keys could not be fetched (HTTP ${response.status})`);
  return (await response.json()) as { keys: (JsonWebKey & { kid?: string })[] };
}

export class CognitoGroups {
  readonly #jwks: JwksSource;
  readonly #now: () => number;
  /** Keys by `<issuer> <kid>`; a pool rotates by adding keys, so a fetched key stays good. */
  readonly #keys = new Map<string, KeyObject>();

  constructor(options: { jwks?: JwksSource; now?: () => number } = {}) {
    this.#jwks = options.jwks ?? fetchJwks;
    this.#now = options.now ?? Date.now;
  }

  /** The `cognito:groups` of a verified access token of `subject` from `issuer`, or AlbIdentityError saying why it is not believed. */
  async groupsOf(accessToken: string | undefined, issuer: string, subject: string): Promise<string[]> {
    if (!accessToken) throw new AlbIdentityError('no x-amzn-oidc-accesstoken: the user pool groups cannot be read');
    const [head = '', body = '', signature = ''] = accessToken.split('.');
    const header = decode(head);
    const claims = decode(body);
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new AlbIdentityError('the access token is not an RS256 token of the user pool');
    const key = await this.#key(issuer, header.kid);
    if (!verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) {
      throw new AlbIdentityError('the access token has a bad signature');
    }
    if (claims.iss !== issuer || claims.token_use !== 'access') throw new AlbIdentityError('the access token is not an access token of this user pool');
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.#now()) throw new AlbIdentityError('the access token has expired: sign in again');
    if (claims.sub !== subject) throw new AlbIdentityError('the access token is of another person than x-amzn-oidc-data');
    const groups = claims['cognito:groups'];
    return Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [];
  }

  async #key(issuer: string, keyId: string): Promise<KeyObject> {
    const cached = this.#keys.get(`${issuer} ${keyId}`);
    if (cached) return cached;
    const jwk = (await this.#jwks(issuer)).keys.find((candidate) => candidate.kid === keyId);
    if (!jwk) throw new AlbIdentityError(`the user pool has no key ${keyId}`);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    this.#keys.set(`${issuer} ${keyId}`, key);
    return key;
  }
}

function decode(segment: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new AlbIdentityError('the access token is not a JWT');
}

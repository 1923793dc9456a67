/**
 * The `authenticate-oidc` action of the local load balancer, as AWS documents the ALB's
 * ("Authenticate users using an Application Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html):
 * a request without a session is redirected to the IdP's authorization endpoint; the IdP sends
 * the browser back to `/oauth2/idpresponse` on the same host with a code, which the load balancer
 * exchanges at the token endpoint (client_secret_basic), then it reads the user info endpoint
 * and keeps the claims in a session named by the `AWSELBAuthSessionCookie-0` cookie. Every request
 * of a session is forwarded with `x-amzn-oidc-accesstoken`, `x-amzn-oidc-identity` (the subject)
 * and `x-amzn-oidc-data`: the claims as a JWT signed ES256 by the load balancer, whose header
 * names the key (`kid`), the load balancer (`signer`), the IdP (`iss`), the client and `exp`.
 * The public key is served by key id, as the region's endpoint serves the ALB's.
 *
 * Each tenant's rule names its own sign-in, as each ALB rule's action does: `authenticate-oidc`
 * with the state's own IdP (its issuer's discovery document, its client id, and the client secret
 * read from the local Secrets Manager by the ARN the record holds), or `authenticate-cognito` with
 * the tenant's app client of the local user pool (its secret looked up by client id, as the ALB
 * reads it with DescribeUserPoolClient) at the local identity provider.
 *
 * Not emulated: the session cookie's sharding over several cookies for large claims (one cookie
 * holds only a session id here), and OnUnauthenticatedRequest other than `authenticate`. The ALB
 * reads an IdP's client secret once, when the rule is made; this reads it when a person is sent to
 * sign in, so a secret rotated in the local Secrets Manager applies without re-routing.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ListenerSignIn } from '../../cloud/ports.ts';
import type { LocalAppClient } from '../identity/staff-pool.ts';

/** What the load balancer signs in with for one rule, as an ALB's authenticate action holds it. */
export interface OidcClientSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
}

export interface LocalSignInOptions {
  /** The local identity provider's issuer: the user pool's, for `authenticate-cognito`. */
  readonly poolIssuer: () => string;
  /** The user pool's app client by id (DescribeUserPoolClient). */
  readonly poolClient: (clientId: string) => LocalAppClient | undefined;
  /** A state's IdP client secret by ARN, from the local Secrets Manager. */
  readonly secretValue: (arn: string) => Promise<string>;
  readonly loadBalancerArn: () => string;
}

/** The user pool's scopes, and `groups`: the local identity provider's user info names the groups Cognito puts in the access token. */
const POOL_SCOPE = 'openid email profile groups';
/** What the ALB asks a state's IdP for (SIGN_IN_SCOPE of src/aws/listener-sign-in.ts). */
const OIDC_SCOPE = 'openid email profile';

export const SESSION_COOKIE = 'AWSELBAuthSessionCookie-0';
/** Binds the code's `state` to the browser that started sign-in, so a code from elsewhere is refused. */
const NONCE_COOKIE = 'AWSELBAuthNonce';
export const CALLBACK_PATH = '/oauth2/idpresponse';
/** The ALB's default SessionTimeout: 604800 s (7 days). */
const SESSION_TIMEOUT_MS = 604_800_000;
/** How long a browser may take to sign in before the state it was sent with is forgotten. */
const PENDING_TTL_MS = 15 * 60_000;
/** The signed header is made afresh for every request; this is how long a copy of it stays good. */
const DATA_TTL_SECONDS = 120;

interface Session {
  /** The host (tenant) and client it was made for: a session of one tenant is nothing at another. */
  readonly host: string;
  readonly client: OidcClientSettings;
  readonly claims: Record<string, unknown>;
  readonly accessToken: string;
  readonly expiresAt: number;
}

interface Pending {
  readonly host: string;
  readonly client: OidcClientSettings;
  readonly returnTo: string;
  readonly nonce: string;
  readonly expiresAt: number;
}

interface Endpoints {
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint: string;
}

export type SignInOutcome = { readonly forward: Record<string, string> } | { readonly handled: true };

export class LocalSignIn {
  readonly #options: LocalSignInOptions;
  readonly #keyId = randomUUID();
  readonly #keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, Pending>();
  /** Discovery documents by issuer. */
  readonly #endpoints = new Map<string, Promise<Endpoints>>();

  constructor(options: LocalSignInOptions) {
    this.#options = options;
  }

  /** The public key as the region's endpoint serves one: a PEM, by key id. */
  publicKeyPem(keyId: string): string | undefined {
    return keyId === this.#keyId ? this.#keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() : undefined;
  }

  /**
   * Headers to forward with for a signed-in request of the rule whose sign-in is `signIn`;
   * otherwise answers the request itself (a redirect to sign in, or the callback).
   */
  async authenticate(req: IncomingMessage, res: ServerResponse, origin: string, signIn: ListenerSignIn): Promise<SignInOutcome> {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === CALLBACK_PATH) {
      await this.#callback(req, res, url, origin);
      return { handled: true };
    }
    const session = this.#session(req, url.host, this.#issuerAndClient(signIn));
    if (session) return { forward: this.#headersFor(session) };
    await this.#redirectToSignIn(req, res, url, origin, await this.#clientOf(signIn));
    return { handled: true };
  }

  /** Who the rule's sign-in is with, read without the secret (a signed-in request reads no secret). */
  #issuerAndClient(signIn: ListenerSignIn): { issuer: string; clientId: string } {
    return { issuer: signIn.kind === 'oidc' ? signIn.issuer.replace(/\/+$/, '') : this.#options.poolIssuer(), clientId: signIn.clientId };
  }

  /** The rule's client: the user pool's app client with its secret, or the state's IdP with the secret its record names. */
  async #clientOf(signIn: ListenerSignIn): Promise<OidcClientSettings> {
    const { issuer, clientId } = this.#issuerAndClient(signIn);
    if (signIn.kind === 'oidc') return { issuer, clientId, clientSecret: await this.#options.secretValue(signIn.clientSecretArn), scope: OIDC_SCOPE };
    const client = this.#options.poolClient(clientId);
    if (!client) throw new Error(`the user pool has no app client ${clientId}: retry the tenant's onboarding (humangov tenant retry) to make it again`);
    return { issuer, clientId, clientSecret: client.clientSecret, scope: POOL_SCOPE };
  }

  #session(req: IncomingMessage, host: string, client: { issuer: string; clientId: string }): Session | undefined {
    const id = cookiesOf(req).get(SESSION_COOKIE);
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session) return undefined;
    if (session.expiresAt <= Date.now()) {
      this.#sessions.delete(id ?? '');
      return undefined;
    }
    // A session is good only where, and with what, it was made (the rule may since name another IdP).
    if (session.host !== host || session.client.issuer !== client.issuer || session.client.clientId !== client.clientId) return undefined;
    return session;
  }

  async #redirectToSignIn(req: IncomingMessage, res: ServerResponse, url: URL, origin: string, client: OidcClientSettings): Promise<void> {
    req.resume();
    this.#forgetExpired();
    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    this.#pending.set(state, { host: url.host, client, returnTo: `${url.pathname}${url.search}`, nonce, expiresAt: Date.now() + PENDING_TTL_MS });
    const endpoints = await this.#discover(client.issuer);
    const authorize = new URL(endpoints.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: `${origin}${CALLBACK_PATH}`,
      response_type: 'code',
      scope: client.scope,
      state,
    }).toString();
    res.writeHead(302, { location: authorize.toString(), 'set-cookie': cookie(NONCE_COOKIE, nonce, PENDING_TTL_MS / 1000), 'cache-control': 'no-store' }).end();
  }

  async #callback(req: IncomingMessage, res: ServerResponse, url: URL, origin: string): Promise<void> {
    req.resume();
    const state = url.searchParams.get('state') ?? '';
    const pending = this.#pending.get(state);
    this.#pending.delete(state);
    const code = url.searchParams.get('code');
    if (!pending || pending.expiresAt <= Date.now() || pending.host !== url.host || cookiesOf(req).get(NONCE_COOKIE) !== pending.nonce || !code) {
      // The ALB answers a callback it cannot match with 401 Unauthorized.
      res
        .writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        .end(`sign-in could not be completed (${url.searchParams.get('error') ?? 'unknown or expired sign-in attempt'}); open ${origin}/ to sign in again\n`);
      return;
    }
    const { client } = pending;
    const endpoints = await this.#discover(client.issuer);
    const token = await fetch(endpoints.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${origin}${CALLBACK_PATH}` }),
      signal: AbortSignal.timeout(5_000),
    });
    const tokens = (await token.json()) as { access_token?: string; error?: string };
    if (!token.ok || !tokens.access_token) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end(`the identity provider refused the sign-in (${tokens.error ?? token.status})\n`);
      return;
    }
    const userInfo = await fetch(endpoints.userinfo_endpoint, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!userInfo.ok) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end(`the identity provider's user info answered ${userInfo.status}\n`);
      return;
    }
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, {
      host: pending.host,
      client,
      claims: (await userInfo.json()) as Record<string, unknown>,
      accessToken: tokens.access_token,
      expiresAt: Date.now() + SESSION_TIMEOUT_MS,
    });
    res.writeHead(302, {
      location: `${origin}${pending.returnTo}`,
      'set-cookie': [cookie(SESSION_COOKIE, id, SESSION_TIMEOUT_MS / 1000), cookie(NONCE_COOKIE, '', 0)],
      'cache-control': 'no-store',
    });
    res.end();
  }

  #headersFor(session: Session): Record<string, string> {
    const { client } = session;
    const exp = Math.floor(Date.now() / 1000) + DATA_TTL_SECONDS;
    const header = { alg: 'ES256', kid: this.#keyId, signer: this.#options.loadBalancerArn(), iss: client.issuer, client: client.clientId, exp };
    const payload = { ...session.claims, exp, iss: client.issuer };
    // The ALB pads its base64url segments with "="; so does this one, so the app reads both forms.
    const segment = (bytes: Buffer) => bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');
    const signed = `${segment(Buffer.from(JSON.stringify(header)))}.${segment(Buffer.from(JSON.stringify(payload)))}`;
    const signature = sign('sha256', Buffer.from(signed), { key: this.#keys.privateKey, dsaEncoding: 'ieee-p1363' });
    return {
      'x-amzn-oidc-accesstoken': session.accessToken,
      'x-amzn-oidc-identity': String(session.claims.sub ?? ''),
      'x-amzn-oidc-data': `${signed}.${segment(signature)}`,
    };
  }

  /** The issuer's discovery document (OpenID Connect Discovery 1.0, section 4), whose issuer must be the one asked about (4.3). */
  #discover(issuer: string): Promise<Endpoints> {
    let endpoints = this.#endpoints.get(issuer);
    if (!endpoints) {
      endpoints = fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) }).then(async (response) => {
        if (!response.ok) throw new Error(`the identity provider's discovery document answered ${response.status}`);
        const document = (await response.json()) as Endpoints & { issuer?: string };
        if (document.issuer?.replace(/\/+$/, '') !== issuer)
          throw new Error(`${issuer}/.well-known/openid-configuration names another issuer (${document.issuer})`);
        return document;
      });
      this.#endpoints.set(issuer, endpoints);
      endpoints.catch(() => this.#endpoints.delete(issuer));
    }
    return endpoints;
  }

  #forgetExpired(): void {
    const now = Date.now();
    for (const [state, pending] of this.#pending) if (pending.expiresAt <= now) this.#pending.delete(state);
  }
}

function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax`;
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
  return cookies;
}

/**
 * The local identity provider: a real OpenID Connect provider (the `oidc-provider` library) with
 * the seeded staff of staff.ts and a plain login page, standing in for the stack's Cognito user
 * pool (one group per state) so that the local load balancer signs people in with the same code
 * flow the ALB runs (AWS: "Authenticate users using an Application Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html).
 *
 * Its clients are the tenants' app clients of the local user pool (staff-pool.ts), each allowed
 * only its own callback URL; a member of staff's `groups` are those of their seeded states whose
 * group the pool holds. The same class, given other staff and one client, plays a state's own
 * IdP in tests.
 *
 * Differences from AWS, on purpose: it speaks plain HTTP on loopback (an IdP for an ALB must be
 * HTTPS with a public certificate), and its sessions and keys live in memory (a restart signs
 * everyone out).
 */
import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { closeServer, listen } from '../data/listen.ts';
import { idpAdapter } from './idp-adapter.ts';
import { LOCAL_STAFF, LOCAL_STAFF_PASSWORD, type StaffMember } from './staff.ts';

/** A client the provider knows, as an OAuth client registration holds it. */
export interface IdpClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export interface LocalIdentityProviderOptions {
  /** HUMANGOV_IDP_PORT; 0 for any free port (tests). */
  readonly port: number;
  /** The registered clients, by id, looked up at each request. */
  readonly clients: (clientId: string) => IdpClient | undefined;
  /** Who may sign in (default: the seeded staff of staff.ts). */
  readonly staff?: readonly StaffMember[];
  /** Whether a group exists, so that membership of it is claimed (default: every group exists). */
  readonly groupExists?: (group: string) => boolean;
  /** Named on the login page: whose sign-in this is. */
  readonly title?: string;
}

const HOST = '127.0.0.1';

export class LocalIdentityProvider {
  readonly #options: LocalIdentityProviderOptions;
  readonly #staff: readonly StaffMember[];
  #server: Server | undefined;
  #issuer = '';

  constructor(options: LocalIdentityProviderOptions) {
    this.#options = options;
    this.#staff = options.staff ?? LOCAL_STAFF;
  }

  get issuer(): string {
    return this.#issuer;
  }

  /** Where sign-out ends the IdP's own session (OpenID Connect RP-Initiated Logout). */
  get signOutUrl(): string {
    return `${this.#issuer}/session/end`;
  }

  async start(): Promise<void> {
    const server = createServer();
    const port = await listen(server, this.#options.port, HOST, 'the local identity provider', 'HUMANGOV_IDP_PORT');
    this.#issuer = `http://${HOST}:${port}`;
    const provider = this.#provider();
    const callback = provider.callback();
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const host = req.headers.host ?? '';
      if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`the local identity provider answers only ${this.#issuer}\n`);
        return;
      }
      const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0] ?? '');
      if (interaction) {
        this.#interaction(provider, req, res, interaction[2] !== undefined).catch((error: unknown) => {
          res
            .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
            .end(`sign-in failed: ${error instanceof Error ? error.message : String(error)}\n`);
        });
        return;
      }
      callback(req, res);
    });
    this.#server = server;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    // Sign-in pages held open by a browser are cut at once: nothing is left to finish.
    if (server) await closeServer(server, 0);
  }

  #provider(): Provider {
    const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const staff = this.#staff;
    const groupExists = this.#options.groupExists ?? (() => true);
    const clients = this.#options.clients;
    const provider = new Provider(this.#issuer, {
      // No static clients: each is looked up when a request names it, so a tenant onboarded
      // (or offboarded) since the provider started is known (or forgotten) at once.
      adapter: idpAdapter((clientId) => {
        const client = clients(clientId);
        return client
          ? {
              client_id: client.clientId,
              client_secret: client.clientSecret,
              redirect_uris: [...client.redirectUris],
              post_logout_redirect_uris: [],
              grant_types: ['authorization_code'],
              response_types: ['code'],
              token_endpoint_auth_method: 'client_secret_basic',
            }
          : undefined;
      }),
      jwks: { keys: [{ ...signingKey, use: 'sig', kid: 'local-idp' }] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      claims: { openid: ['sub'], email: ['email'], profile: ['name', 'preferred_username'], groups: ['groups'] },
      scopes: ['openid', 'email', 'profile', 'groups'],
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
      // The load balancer is the IdP's own first-party client: signing in is consent.
      loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        const client = ctx.oidc.client;
        if (!accountId || !client) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
        grant.addOIDCScope('openid email profile groups');
        await grant.save();
        return grant;
      },
      findAccount: async (_ctx: KoaContextWithOIDC, sub: string) => {
        const member = staff.find((candidate) => candidate.username === sub);
        if (!member) return undefined;
        return {
          accountId: sub,
          claims: async () => ({
            sub,
            name: member.name,
            preferred_username: member.username,
            email: member.email,
            groups: member.groups.filter(groupExists),
          }),
        };
      },
      pkce: { required: () => false },
      // Seconds; a working day of sign-in, as short-lived as the rest of the flow needs.
      ttl: { Session: 8 * 3600, Grant: 8 * 3600, AccessToken: 3600, IdToken: 3600, AuthorizationCode: 60, Interaction: 3600 },
      renderError: async (ctx, out) => {
        ctx.type = 'text/plain; charset=utf-8';
        ctx.body = `sign-in failed: ${Object.values(out).join(': ')}\n`;
      },
    });
    return provider;
  }

  async #interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, submitted: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const page = { uid: details.uid, staff: this.#staff, title: this.#options.title };
    if (!submitted) {
      respondWithLoginPage(res, page, 200);
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const username = form.get('username') ?? '';
    const member = this.#staff.find((candidate) => candidate.username === username);
    const password = Buffer.from(form.get('password') ?? '');
    const expected = Buffer.from(LOCAL_STAFF_PASSWORD);
    if (!member || password.length !== expected.length || !timingSafeEqual(password, expected)) {
      respondWithLoginPage(res, page, 401, 'That user name and password do not match a member of staff.');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: member.username } }, { mergeWithLastSubmission: false });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('the form is too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function respondWithLoginPage(
  res: ServerResponse,
  login: { uid: string; staff: readonly StaffMember[]; title: string | undefined },
  status: number,
  problem?: string,
): void {
  const uid = login.uid;
  const staff = login.staff
    .map((member) => `<li><code>${escape(member.username)}</code>: ${escape(member.name)}, staff of ${escape(member.groups.join(', '))}</li>`)
    .join('');
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · HumanGov local identity provider</title></head>
<body>
<main>
<h1>Sign in to HumanGov</h1>
<p>${escape(login.title ?? "This is the local identity provider that npm start runs in place of the stack's user pool.")}</p>
${problem ? `<p role="alert"><strong>${escape(problem)}</strong></p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="username">User name</label><br><input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Sign in</button></p>
</form>
<h2>Seeded staff</h2>
<p>Every account's password is <code>${LOCAL_STAFF_PASSWORD}</code>.</p>
<ul>${staff}</ul>
</main>
</body>
</html>
`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
}

/**
 * Sign-in is the load balancer's: it runs the IdP's code flow and forwards each request with the
 * signed `x-amzn-oidc-data` header (AWS: "Authenticate users using an Application Load Balancer",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html).
 * The app believes nobody else: every request but the health check carries a header this load
 * balancer signed, and every page or record is for the state's own staff only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AlbIdentityError, isStaffOf } from '../alb-identity.ts';
import type { Actor } from '../audit-trail.ts';
import type { CognitoGroups } from '../cognito-groups.ts';
import type { AlbIdentity, AlbIdentityVerifier, StaffRule } from '../alb-identity.ts';
import { parseCookies, serializeCookie } from '../cookies.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the load balancer signed in; null before the check and on /health. */
    staff: AlbIdentity | null;
  }
}

export class NotSignedInError extends AppError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`Not signed in (${reason}). Open this site's address again to sign in.`, { statusCode: 401, code: 'not_signed_in', ...options });
    this.name = 'NotSignedInError';
  }
}

export class NotStaffError extends AppError {
  constructor(who: string, usState: string) {
    super(`You are signed in as ${who}, who is not on the staff of the State of ${usState}. Sign out, then sign in with a ${usState} account.`, {
      statusCode: 403,
      code: 'not_staff',
    });
    this.name = 'NotStaffError';
  }
}

export interface SignInOptions {
  readonly verifier: AlbIdentityVerifier;
  readonly rule: StaffRule;
  readonly usState: string;
  /** The IdP's logout page; without one, sign-out returns to the home page (and so to sign-in). */
  readonly signOutUrl: string | undefined;
  /** Reads a Cognito user's groups from the access token, for a rule with a group and a Cognito issuer. */
  readonly poolGroups: CognitoGroups;
}

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[A-Za-z0-9-]+_[A-Za-z0-9]+$/;

/** The probes: the load balancer's health check carries no sign-in, and neither shows a record. */
const PUBLIC_PATHS = new Set(['/health', '/ready']);
/** Reached by anyone signed in, staff or not: the refusal page's stylesheet, and the way out. */
const SIGNED_IN_PATHS = [/^\/assets\//, /^\/sign-out$/];
/** The load balancer's session cookies: `AWSELBAuthSessionCookie-0`, `-1`, … (the default SessionCookieName, sharded). */
const SESSION_COOKIE = /^AWSELBAuthSessionCookie-\d+$/;

export const SIGN_OUT_PATH = '/sign-out';

export function displayNameOf(identity: AlbIdentity): string {
  return identity.name ?? identity.email ?? identity.subject;
}

/** Who the audit trail names for this request: the signed-in person, or nobody when sign-in is off. */
export function actorOf(request: FastifyRequest): Actor | undefined {
  const staff = request.staff;
  return staff ? { subject: `${staff.issuer}#${staff.subject}`, name: displayNameOf(staff) } : undefined;
}

/** Every request has `staff`, null until the load balancer's header is verified (and always, with SIGN_IN=off). */
export function decorateStaff(app: FastifyInstance): void {
  app.decorateRequest('staff', null);
}

export function registerSignIn(app: FastifyInstance, options: SignInOptions): void {
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '/';
    if (PUBLIC_PATHS.has(path)) return;
    const header = request.headers['x-amzn-oidc-data'];
    let identity: AlbIdentity;
    try {
      identity = await options.verifier.verify(Array.isArray(header) ? 'more than one x-amzn-oidc-data header' : header);
    } catch (error) {
      if (error instanceof AlbIdentityError) throw new NotSignedInError(error.message, { cause: error });
      throw error;
    }
    if (
      options.rule.group !== undefined &&
      identity.groups.length === 0 &&
      COGNITO_ISSUER.test(options.rule.issuer) &&
      identity.issuer === options.rule.issuer
    ) {
      // Cognito's user info carries no groups: they come from the access token forwarded beside it.
      const accessToken = request.headers['x-amzn-oidc-accesstoken'];
      try {
        identity = {
          ...identity,
          groups: await options.poolGroups.groupsOf(Array.isArray(accessToken) ? undefined : accessToken, options.rule.issuer, identity.subject),
        };
      } catch (error) {
        if (error instanceof AlbIdentityError) throw new NotSignedInError(error.message, { cause: error });
        throw error;
      }
    }
    request.staff = identity;
    if (SIGNED_IN_PATHS.some((pattern) => pattern.test(path))) return;
    if (!isStaffOf(identity, options.rule)) {
      request.log.warn({ subject: identity.subject, issuer: identity.issuer, groups: identity.groups }, 'signed in, but not staff of this state');
      throw new NotStaffError(displayNameOf(identity), options.usState);
    }
  });

  // The documented way out: expire the load balancer's session cookies, then end the IdP's session.
  app.get(SIGN_OUT_PATH, async (request: FastifyRequest, reply: FastifyReply) => {
    const names = new Set(['AWSELBAuthSessionCookie-0', ...[...parseCookies(request.headers.cookie).keys()].filter((name) => SESSION_COOKIE.test(name))]);
    const secure = request.protocol === 'https';
    reply.header('cache-control', 'no-store');
    reply.header(
      'set-cookie',
      [...names].map((name) => serializeCookie(name, '', { maxAgeSeconds: 0, secure })),
    );
    request.log.info({ subject: request.staff?.subject }, 'signed out');
    return reply.redirect(options.signOutUrl ?? '/', 302);
  });
}

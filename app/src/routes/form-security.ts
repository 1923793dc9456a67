import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseCookies, serializeCookie } from '../cookies.ts';
import { CSRF_COOKIE, CSRF_FIELD, SECURE_CSRF_COOKIE } from '../csrf.ts';
import type { CsrfTokens } from '../csrf.ts';
import { decodeFlash, encodeFlash, FLASH_COOKIE, FLASH_MAX_AGE_SECONDS } from '../flash.ts';
import type { Signer } from '../signing.ts';
import type { Flash } from '../views/layout.ts';

/** CSRF tokens and flash messages for the HTML pages, both kept in cookies rather than server state. */
export class FormSecurity {
  readonly #csrf: CsrfTokens;
  readonly #signer: Signer;

  constructor(csrf: CsrfTokens, signer: Signer) {
    this.#csrf = csrf;
    this.#signer = signer;
  }

  /** A token for the forms of this page; gives the browser a nonce cookie if it has none yet. */
  tokenFor(request: FastifyRequest, reply: FastifyReply): string {
    let nonce = parseCookies(request.headers.cookie).get(csrfCookieName(request));
    if (!this.#csrf.isIssuedNonce(nonce)) {
      nonce = this.#csrf.newNonce();
      reply.header('set-cookie', serializeCookie(csrfCookieName(request), nonce, { secure: isHttps(request) }));
    }
    return this.#csrf.issue(nonce);
  }

  /** Throws CsrfError unless the form carries a valid token for this browser's cookie. */
  verify(request: FastifyRequest, fields: Readonly<Record<string, unknown>>): void {
    const token = fields[CSRF_FIELD];
    this.#csrf.verify(parseCookies(request.headers.cookie).get(csrfCookieName(request)), typeof token === 'string' ? token : undefined);
  }

  setFlash(request: FastifyRequest, reply: FastifyReply, flash: Flash): void {
    const value = encodeFlash(this.#signer, flash);
    reply.header('set-cookie', serializeCookie(FLASH_COOKIE, value, { maxAgeSeconds: FLASH_MAX_AGE_SECONDS, secure: isHttps(request) }));
  }

  /** Returns the pending flash message, if any, and clears it so it shows once. */
  takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | undefined {
    const cookie = parseCookies(request.headers.cookie).get(FLASH_COOKIE);
    if (cookie === undefined) return undefined;
    reply.header('set-cookie', serializeCookie(FLASH_COOKIE, '', { maxAgeSeconds: 0, secure: isHttps(request) }));
    return decodeFlash(this.#signer, cookie);
  }
}

/** Over HTTPS only the `__Host-` cookie counts: the plain name is one a sibling host can set. */
function csrfCookieName(request: FastifyRequest): string {
  return isHttps(request) ? SECURE_CSRF_COOKIE : CSRF_COOKIE;
}

/** True behind a TLS-terminating load balancer too (trustProxy honours X-Forwarded-Proto). */
function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

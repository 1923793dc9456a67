import { randomBytes } from 'node:crypto';
import { CsrfError } from './errors.ts';
import type { Signer } from './signing.ts';

export const CSRF_COOKIE = 'hg_csrf';
/**
 * The name over HTTPS. A browser sets a `__Host-` cookie only from a secure page of this very
 * host, with `Path=/` and no `Domain`, so a sibling host (another tenant, a subdomain an
 * attacker controls) cannot plant one (RFC 6265bis section 4.1.3.2).
 */
export const SECURE_CSRF_COOKIE = `__Host-${CSRF_COOKIE}`;
export const CSRF_FIELD = '_csrf';
export const CSRF_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;
/** Tolerates replicas whose clocks run slightly ahead of the one that issued a token. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const PURPOSE = 'csrf-v1';
const NONCE_PURPOSE = 'csrf-nonce-v1';

/**
 * Stateless CSRF tokens: HMAC-SHA256 over a random nonce and the issue time. The nonce lives
 * in an HttpOnly cookie (signed double submit), so a token taken from the site by an attacker
 * is useless without the victim's cookie. The nonce is chosen and signed by the server, so a
 * value a client makes up (or an attacker plants) is never one. Nothing is stored, so any
 * replica with the same secret accepts a token another replica issued.
 */
export class CsrfTokens {
  readonly #signer: Signer;
  readonly #now: () => number;

  constructor(signer: Signer, now: () => number = Date.now) {
    this.#signer = signer;
    this.#now = now;
  }

  newNonce(): string {
    const random = randomBytes(18).toString('base64url');
    return `${random}.${this.#signer.sign(NONCE_PURPOSE, random)}`;
  }

  /** True only for a nonce this app (or a replica with the same secret) issued. */
  isIssuedNonce(nonce: string | undefined): nonce is string {
    const [random, signature, ...rest] = (nonce ?? '').split('.');
    return !!random && !!signature && rest.length === 0 && this.#signer.verify(NONCE_PURPOSE, random, signature);
  }

  issue(nonce: string): string {
    const issuedAt = this.#now().toString(36);
    return `${issuedAt}.${this.#signer.sign(PURPOSE, `${nonce}.${issuedAt}`)}`;
  }

  /** Throws CsrfError unless the token was issued for this nonce, under this secret, recently. */
  verify(nonce: string | undefined, token: string | undefined): void {
    if (!nonce) throw new CsrfError('no CSRF cookie');
    if (!this.isIssuedNonce(nonce)) throw new CsrfError('the CSRF cookie was not issued by this app');
    if (!token) throw new CsrfError('no CSRF token in the form');
    const [issuedAt, signature, ...rest] = token.split('.');
    if (!issuedAt || !signature || rest.length > 0) throw new CsrfError('malformed token');
    if (!this.#signer.verify(PURPOSE, `${nonce}.${issuedAt}`, signature)) throw new CsrfError('token signature does not match');
    const age = this.#now() - parseInt(issuedAt, 36);
    if (!(age <= CSRF_TOKEN_TTL_MS && age >= -CLOCK_SKEW_MS)) throw new CsrfError('token expired');
  }
}

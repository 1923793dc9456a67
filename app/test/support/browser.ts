import { signedIn } from './sign-in.ts';

/**
 * A tiny browser for the HTML pages: keeps cookies, never follows redirects on its own. It comes
 * through the load balancer signed in as a Californian unless `headers` names someone else (or
 * `{}` with `signedIn: false`, a request around the load balancer).
 */
export interface PageResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly location: string | null;
}

export class Browser {
  readonly cookies = new Map<string, string>();
  readonly #headers: Readonly<Record<string, string>>;

  /** `headers` go with every request, e.g. the X-Forwarded-Proto of a load balancer that terminated TLS. */
  constructor(headers: Readonly<Record<string, string>> = {}, options: { signedIn?: boolean } = {}) {
    this.#headers = { ...(options.signedIn === false ? {} : signedIn()), ...headers };
  }

  async get(url: string): Promise<PageResponse> {
    return this.#request(url, { method: 'GET' });
  }

  async post(url: string, body: FormData | URLSearchParams): Promise<PageResponse> {
    return this.#request(url, { method: 'POST', body });
  }

  /** Gives this browser another's cookies, as if the load balancer sent the next request elsewhere. */
  copyCookiesFrom(other: Browser): void {
    for (const [name, value] of other.cookies) this.cookies.set(name, value);
  }

  async #request(url: string, init: RequestInit): Promise<PageResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...this.#headers, ...(cookie ? { cookie } : {}) } });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = setCookie.split(';');
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const expired = attributes.some((attribute) => attribute.trim().toLowerCase() === 'max-age=0');
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(separator + 1).trim());
    }
    return { status: response.status, headers: response.headers, body: await response.text(), location: response.headers.get('location') };
  }
}

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

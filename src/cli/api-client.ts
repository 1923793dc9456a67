/**
 * The status API as the CLI sees it: typed calls, every page of a listing,
 * and every failure turned into an error a person can act on. Requests to a
 * deployed stage (an execute-api URL) are signed with SigV4; local ones are not
 * (the local API listens on loopback only).
 */
import type { deploymentDetail, deploymentSummary, tenantDetail, tenantSummary } from '../api/views.ts';
import { ApiResponseError, ApiUnreachableError, AwsCredentialsError, UsageError } from './errors.ts';
import { isExecuteApiUrl, regionOfHost, signedHeaders, type AwsCredentials, type RequestToSign } from './sigv4.ts';

/** The API's JSON, typed by the very functions that write it (src/api/views.ts). */
export type TenantSummary = ReturnType<typeof tenantSummary>;
export type TenantDetail = ReturnType<typeof tenantDetail>;
export type DeploymentSummary = ReturnType<typeof deploymentSummary>;
export type DeploymentDetail = ReturnType<typeof deploymentDetail>;

export interface NewTenant {
  tenantId: string;
  displayName?: string;
  desiredCount?: number;
  canary?: boolean;
}

export type TenantChanges = Partial<Pick<NewTenant, 'displayName' | 'desiredCount' | 'canary'>>;

export type CredentialSource = () => Promise<AwsCredentials>;

export interface ApiClientOptions {
  /** The API's base URL; a path (an API Gateway stage) is kept as a prefix. */
  baseUrl: string;
  /** --region: the signing region, over the one the host names. */
  region?: string;
  /** AWS_REGION: the signing region when neither --region nor the host names one. */
  defaultRegion?: string;
  /** Where signing credentials come from; defaults to the SDK's standard chain. */
  credentials?: CredentialSource;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Per request; the API answers in well under a second. */
  timeoutMs?: number;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class ApiClient {
  readonly baseUrl: URL;
  /** Set when requests are signed: the region they are signed for. */
  readonly signingRegion: string | undefined;
  readonly #credentials: CredentialSource;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.signingRegion = isExecuteApiUrl(this.baseUrl) ? signingRegion(this.baseUrl, options) : undefined;
    this.#credentials = options.credentials ?? standardChain();
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** True when this client talks to a control plane on this machine (not a deployed stage). */
  get isLocal(): boolean {
    return this.signingRegion === undefined;
  }

  /** `home` is answered by a local control plane only: where its state (and its push spool) is. */
  health(): Promise<{ status: string; stage: string; time: string; home?: string }> {
    return this.#request('GET', '/health');
  }

  listTenants(): Promise<TenantSummary[]> {
    return this.#all<TenantSummary>('/tenants');
  }

  getTenant(tenantId: string): Promise<TenantDetail> {
    return this.#request('GET', `/tenants/${encodeURIComponent(tenantId)}`);
  }

  addTenant(tenant: NewTenant): Promise<TenantDetail> {
    return this.#request('POST', '/tenants', { body: tenant });
  }

  removeTenant(tenantId: string, options: { purge?: boolean } = {}): Promise<TenantDetail> {
    return this.#request('DELETE', `/tenants/${encodeURIComponent(tenantId)}`, { query: options.purge ? { purge: 'true' } : {} });
  }

  /** PATCH /tenants/{id}: display name, task count, canary. */
  updateTenant(tenantId: string, changes: TenantChanges): Promise<TenantDetail> {
    return this.#request('PATCH', `/tenants/${encodeURIComponent(tenantId)}`, { body: changes });
  }

  retryTenant(tenantId: string): Promise<TenantDetail> {
    return this.#request('POST', `/tenants/${encodeURIComponent(tenantId)}/retry`, { body: {} });
  }

  restoreTenant(tenantId: string): Promise<TenantDetail> {
    return this.#request('POST', `/tenants/${encodeURIComponent(tenantId)}/restore`, { body: {} });
  }

  listDeployments(): Promise<DeploymentSummary[]> {
    return this.#all<DeploymentSummary>('/deployments');
  }

  getDeployment(deploymentId: string): Promise<DeploymentDetail> {
    return this.#request('GET', `/deployments/${encodeURIComponent(deploymentId)}`);
  }

  async #all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<T> = await this.#request('GET', path, { query: cursor ? { cursor } : {} });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  async #request<T>(method: string, path: string, options: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    const url = new URL(this.baseUrl);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let headers: Record<string, string> = { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    if (this.signingRegion) {
      headers = await signedHeaders(
        { method, url, headers, body },
        { credentials: await this.#signingCredentials(), region: this.signingRegion, service: 'execute-api', now: this.#now() },
      );
    }

    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, { method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      throw this.#unreachable(error, signal.aborted);
    }
    if (!response.ok) throw this.#failure(response, text);
    const answer = parseJson(text);
    if (answer === undefined) throw this.#unexpected(response, text);
    return answer as T;
  }

  /**
   * The headers that sign `request` (to this API) as the operator: what the dashboard proxy sends
   * on the browser's behalf. Only for a deployed stage, whose requests are signed.
   */
  async signFor(request: RequestToSign): Promise<Record<string, string>> {
    if (!this.signingRegion) throw new UsageError(`${this.baseUrl.origin} is a local control plane; its requests are not signed`);
    return signedHeaders(request, { credentials: await this.#signingCredentials(), region: this.signingRegion, service: 'execute-api', now: this.#now() });
  }

  async #signingCredentials(): Promise<AwsCredentials> {
    try {
      return await this.#credentials();
    } catch (error) {
      // Whatever the chain threw, it means the same thing to the person: no usable credentials.
      throw new AwsCredentialsError(
        `no AWS credentials to sign requests to ${this.baseUrl.origin} (${(error as Error).message}); ` +
          'configure them as for the AWS CLI (AWS_PROFILE, `aws sso login`, `aws configure`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
        { cause: error },
      );
    }
  }

  #unreachable(error: unknown, timedOut: boolean): ApiUnreachableError {
    if (timedOut) {
      return new ApiUnreachableError(`the control plane at ${this.baseUrl.origin} did not answer within ${this.#timeoutMs / 1000} s`, { cause: error });
    }
    const reason = networkReason(error);
    if (this.isLocal) {
      return new ApiUnreachableError(`no control plane at ${this.baseUrl.origin}${reason}: start it with \`npm start\` (or pass --api)`, { cause: error });
    }
    return new ApiUnreachableError(`cannot reach ${this.baseUrl.origin}${reason}: check the URL given to --api and your network`, { cause: error });
  }

  #failure(response: Response, text: string): ApiResponseError {
    const parsed = parseJson(text) as { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
    const apiError = parsed?.error;
    if (apiError && typeof apiError.message === 'string') {
      return new ApiResponseError(response.status, typeof apiError.code === 'string' ? apiError.code : 'ERROR', apiError.message);
    }
    // API Gateway answers its own refusals (IAM) as {"message": "..."}.
    const gatewayMessage = typeof parsed?.message === 'string' ? parsed.message : response.statusText;
    if (this.signingRegion && response.status === 403) {
      return new ApiResponseError(
        403,
        'FORBIDDEN',
        `AWS refused the request (403: ${gatewayMessage}). The CLI signs every request with SigV4 (service execute-api, region ${this.signingRegion}) ` +
          "using credentials from the standard AWS chain: check that they are current (`aws sts get-caller-identity`), that the region is the API's (--region), " +
          'and that the identity is allowed execute-api:Invoke on this API',
      );
    }
    return this.#unexpected(response, text);
  }

  #unexpected(response: Response, text: string): ApiResponseError {
    const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    return new ApiResponseError(
      response.status,
      'UNEXPECTED_ANSWER',
      `unexpected answer from ${this.baseUrl.origin} (HTTP ${response.status}): ${excerpt || 'empty body'}; is --api the HumanGov status API?`,
    );
  }
}

/** The parsed body, or undefined when it is not JSON (a proxy's error page, another server). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function signingRegion(url: URL, options: Pick<ApiClientOptions, 'region' | 'defaultRegion'>): string {
  const region = options.region || regionOfHost(url.hostname) || options.defaultRegion;
  if (!region) throw new UsageError(`cannot tell which AWS region ${url.hostname} is in, to sign requests for it; pass --region (or set AWS_REGION)`);
  return region;
}

/** ` (connection refused)` and the like, from the cause fetch wraps. */
function networkReason(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'unknown host',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
  };
  if (typeof code !== 'string') return '';
  return ` (${reasons[code] ?? code})`;
}

/**
 * The SDK's standard chain (environment, SSO, shared config, container and
 * instance roles). Loaded on the first signed request only, so local commands
 * start without it; the chain caches and refreshes what it finds.
 */
function standardChain(): CredentialSource {
  let provider: CredentialSource | undefined;
  return async () => {
    if (!provider) {
      const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
      provider = fromNodeProviderChain();
    }
    return provider();
  };
}

import { Agent, createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthProbe, ListenerRuleSpec, LoadBalancerPort, TargetGroupSpec, TargetHealth } from '../../cloud/ports.ts';
import { PermanentCloudError, TransientCloudError } from '../../cloud/errors.ts';
import { logJson } from '../logs/json-log.ts';
import type { LogFn } from '../logs/json-log.ts';
import { HealthChecker } from './health-checker.ts';
import { LoadBalancerConfig } from './load-balancer-config.ts';
import { forward, hostnameOf, respondWithError } from './proxy.ts';
import { unknownTenantPage } from './unknown-tenant-page.ts';
import type { LocalSignIn } from './sign-in.ts';
import { Target, TargetSet } from './targets.ts';
import type { HealthCheckSettings, TargetAddress } from './targets.ts';

export interface LocalLoadBalancerOptions {
  /** HUMANGOV_HOME: the configuration is kept in `<home>/state/load-balancer.json`. */
  home: string;
  /** Listener port; settings.lbPort (8080) in `npm start`, 0 (any free port) in tests. */
  port?: number;
  host?: string;
  region?: string;
  accountId?: string;
  /** The target groups' health check; by default the AWS provider's, with its times shortened. */
  healthCheck?: Partial<HealthCheckSettings>;
  /** Longest a deregistered target keeps its in-flight requests (ALB default 300 s; 2 s locally). */
  deregistrationDelayMs?: number;
  /** Listener rules the load balancer holds (ALB's default quota, 100, unless given). */
  maxRules?: number;
  /** An upstream silent for this long gets a 504, like the ALB idle timeout. */
  idleTimeoutMs?: number;
  /** Structured log lines (target health changes); default JSON on stderr. */
  log?: LogFn;
  /** Every tenant rule authenticates with this before it forwards (the ALB's authenticate-oidc action). */
  signIn?: LocalSignIn;
}

/** Where the load balancer's signing keys are served by key id, on any name that is not a tenant's. */
export const PUBLIC_KEYS_PATH = '/alb-public-keys/';
/** The health check path answers without sign-in, as the tenant's unauthenticated /health rule does in AWS. */
const HEALTH_PATH = '/health';

/**
 * The health check the AWS provider gives each tenant's target group (path, thresholds, matcher:
 * a test holds them equal), every 1 s with a 2 s timeout instead of every 10 s with 5 s, so a
 * local deploy takes seconds.
 */
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = {
  path: '/health',
  intervalMs: 1000,
  timeoutMs: 2000,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  matcher: '200',
};

interface Drain {
  done: Promise<void>;
  finish: () => void;
}

/**
 * The local Application Load Balancer: one HTTP listener routing by Host header
 * (`<tenantId>.localhost`) through listener rules to target groups, round robin
 * over healthy targets, with ALB health checks and connection draining.
 *
 * Restart behaviour: target groups, rules and registered targets are reloaded by
 * `start()`; reloaded targets are health-checked from `initial` again. The
 * compute side owns target registration: on its own resume it deregisters the
 * targets of tasks that did not survive and registers the tasks it starts.
 */
export class LocalLoadBalancer implements LoadBalancerPort {
  readonly #config: LoadBalancerConfig;
  readonly #listenHost: string;
  readonly #configuredPort: number;
  readonly #deregistrationDelayMs: number;
  readonly #idleTimeoutMs: number;
  readonly #checker: HealthChecker;
  readonly #sets = new Map<string, TargetSet>();
  readonly #drains = new Map<Target, Drain>();
  /** Targets whose deregistration completed early, still reported `draining` until the delay is over. */
  readonly #lingering = new Map<Target, NodeJS.Timeout>();
  #fleetUrl: string | undefined;
  #server: Server | undefined;
  readonly #signIn: LocalSignIn | undefined;
  readonly #log: LogFn;

  constructor(options: LocalLoadBalancerOptions) {
    this.#config = new LoadBalancerConfig({
      home: options.home,
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      ...(options.maxRules === undefined ? {} : { maxRules: options.maxRules }),
    });
    this.#listenHost = options.host ?? '127.0.0.1';
    this.#configuredPort = options.port ?? 8080;
    this.#deregistrationDelayMs = options.deregistrationDelayMs ?? 2000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    const log = options.log ?? logJson;
    this.#log = log;
    this.#signIn = options.signIn;
    this.#checker = new HealthChecker({ ...DEFAULT_HEALTH_CHECK, ...options.healthCheck }, (target, previous) => {
      const { id, host, port, zone } = target.address;
      log({
        level: target.state === 'unhealthy' ? 'WARN' : 'INFO',
        message: `target ${target.state}`,
        targetGroupArn: target.targetGroupArn,
        target: id,
        address: `${host}:${port}`,
        zone,
        previous,
        reason: target.reason,
      });
    });
  }

  /** Loads the saved configuration, resumes health checks of saved targets, and listens. */
  async start(): Promise<void> {
    await this.#config.load();
    for (const group of this.#config.targetGroups()) {
      for (const [id, address] of Object.entries(group.targets)) this.#addTarget(group.arn, { id, ...address });
    }
    await this.#config.save();
    const server = createServer((req, res) => this.#route(req, res));
    server.keepAliveTimeout = 65_000; // longer than clients expect, as the ALB's 60 s idle timeout
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new PermanentCloudError(`the load balancer cannot listen on ${this.#listenHost}:${this.#configuredPort}; set HUMANGOV_LB_PORT to a free port`, {
            cause: error,
          }),
        ),
      );
      server.listen(this.#configuredPort, this.#listenHost, () => resolve());
    });
    this.#server = server;
  }

  /** The port actually listened on (differs from the option when it was 0). */
  get port(): number {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    return address?.port ?? this.#configuredPort;
  }

  get loadBalancerArn(): string {
    return this.#config.loadBalancerArn;
  }

  async close(): Promise<void> {
    this.#checker.close();
    for (const timer of this.#lingering.values()) clearTimeout(timer);
    this.#lingering.clear();
    await this.#config.saved();
    for (const drain of this.#drains.values()) drain.finish();
    for (const set of this.#sets.values()) for (const target of set.targets.values()) target.agent?.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------ LoadBalancerPort

  async ensureTargetGroup(spec: TargetGroupSpec): Promise<{ arn: string }> {
    const group = this.#config.ensureTargetGroup(spec.name, spec.tags);
    await this.#config.save();
    return { arn: group.arn };
  }

  async ensureListenerRule(spec: ListenerRuleSpec): Promise<{ arn: string; priority: number }> {
    const rule = this.#config.ensureListenerRule(spec);
    await this.#config.save();
    return { arn: rule.arn, priority: rule.priority };
  }

  async describeTargetHealth(targetGroupArn: string): Promise<TargetHealth[]> {
    if (!this.#config.targetGroupByArn(targetGroupArn)) throw new PermanentCloudError(`target group ${targetGroupArn} does not exist`);
    const live = [...(this.#sets.get(targetGroupArn)?.targets.values() ?? [])];
    const lingering = [...this.#lingering.keys()].filter((target) => target.targetGroupArn === targetGroupArn);
    return [...live, ...lingering].map((target) => target.describe());
  }

  async deleteListenerRule(tenantId: string): Promise<void> {
    if (this.#config.deleteListenerRule(tenantId)) await this.#config.save();
  }

  async deleteTargetGroup(name: string): Promise<void> {
    const group = this.#config.deleteTargetGroup(name);
    if (!group) return;
    // An ALB drops a deleted group's targets at once: nothing can route to it any more.
    for (const target of this.#sets.get(group.arn)?.targets.values() ?? []) this.#removeTarget(group.arn, target);
    this.#sets.delete(group.arn);
    for (const [target, timer] of this.#lingering) {
      if (target.targetGroupArn === group.arn) {
        clearTimeout(timer);
        this.#lingering.delete(target);
      }
    }
    await this.#config.save();
  }

  /** The fleet dashboard, which the page for an unknown host links to (known once the status API listens). */
  showFleetAt(url: string): void {
    this.#fleetUrl = url;
  }

  hostFor(tenantId: string): string {
    return `${tenantId}.localhost`;
  }

  endpointFor(tenantId: string): string {
    return `http://${this.hostFor(tenantId)}:${this.port}`;
  }

  probeHealth(tenantId: string): Promise<HealthProbe> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.#listenHost,
          port: this.port,
          path: '/health',
          agent: false,
          headers: { host: `${this.hostFor(tenantId)}:${this.port}`, accept: 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) =>
            reject(new TransientCloudError(`reading /health of tenant "${tenantId}" through the load balancer failed`, { cause: error })),
          );
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                // Kept as text: a target answering broken JSON is for the verifier to judge.
              }
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.setTimeout(this.#idleTimeoutMs, () => req.destroy(new Error('timed out')));
      req.on('error', (error) =>
        reject(new TransientCloudError(`GET /health of tenant "${tenantId}" through the load balancer on port ${this.port} failed`, { cause: error })),
      );
      req.end();
    });
  }

  // ------------------------------------------------------------ targets (used by the local Fargate)

  /** Registers (or re-registers) a target; it starts `initial` and receives traffic once healthy. */
  async registerTarget(targetGroupArn: string, address: TargetAddress): Promise<void> {
    this.#config.putTarget(targetGroupArn, address);
    for (const [target, timer] of this.#lingering) {
      if (target.targetGroupArn === targetGroupArn && target.address.id === address.id) {
        clearTimeout(timer);
        this.#lingering.delete(target);
      }
    }
    const existing = this.#sets.get(targetGroupArn)?.targets.get(address.id);
    const same =
      existing &&
      existing.state !== 'draining' &&
      existing.address.host === address.host &&
      existing.address.port === address.port &&
      existing.address.zone === address.zone;
    if (!same) {
      if (existing) this.#removeTarget(targetGroupArn, existing);
      this.#addTarget(targetGroupArn, address);
    }
    await this.#config.save();
  }

  /**
   * Takes the target out of rotation at once and resolves when it is gone: as
   * soon as its in-flight requests are done, or after the deregistration delay.
   * Only then may its process be stopped, which is what makes a swap lossless.
   */
  async deregisterTarget(targetGroupArn: string, id: string): Promise<void> {
    // Out of rotation before anything is awaited: not one more request may be routed to it.
    const target = this.#sets.get(targetGroupArn)?.targets.get(id);
    const drained = target ? this.#drain(targetGroupArn, target) : Promise.resolve();
    this.#config.removeTarget(targetGroupArn, id);
    await Promise.all([this.#config.save(), drained]);
  }

  #drain(targetGroupArn: string, target: Target): Promise<void> {
    const pending = this.#drains.get(target);
    if (pending) return pending.done;
    this.#checker.unwatch(target);
    target.startDraining();
    let resolveDone = () => undefined as void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const timer = setTimeout(() => drain.finish(), this.#deregistrationDelayMs);
    const started = Date.now();
    const drain: Drain = {
      done,
      finish: () => {
        clearTimeout(timer);
        this.#drains.delete(target);
        this.#removeTarget(targetGroupArn, target);
        this.#linger(target, this.#deregistrationDelayMs - (Date.now() - started));
        resolveDone();
      },
    };
    this.#drains.set(target, drain);
    // "If a deregistering target has no in-flight requests and no active connections, Elastic Load Balancing
    // immediately completes the deregistration process", yet shows it `draining` until the delay is over.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay
    if (target.inFlight === 0) drain.finish();
    return done;
  }

  #linger(target: Target, ms: number): void {
    if (ms <= 0) return;
    const timer = setTimeout(() => this.#lingering.delete(target), ms);
    timer.unref();
    this.#lingering.set(target, timer);
  }

  /** What the load balancer reports for one target now, or undefined when it is not registered. */
  targetHealth(targetGroupArn: string, id: string): TargetHealth | undefined {
    return this.#sets.get(targetGroupArn)?.targets.get(id)?.describe();
  }

  #addTarget(targetGroupArn: string, address: TargetAddress): void {
    let set = this.#sets.get(targetGroupArn);
    if (!set) this.#sets.set(targetGroupArn, (set = new TargetSet()));
    const target = new Target(targetGroupArn, address);
    target.agent = new Agent({ keepAlive: true });
    set.targets.set(address.id, target);
    this.#checker.watch(target);
  }

  #removeTarget(targetGroupArn: string, target: Target): void {
    this.#checker.unwatch(target);
    target.agent?.destroy();
    const set = this.#sets.get(targetGroupArn);
    if (set?.targets.get(target.address.id) === target) set.targets.delete(target.address.id);
    this.#drains.get(target)?.finish();
  }

  /** Where the app fetches this load balancer's public keys (`<endpoint>/<kid>`). */
  get publicKeyEndpoint(): string {
    return `http://127.0.0.1:${this.port}${PUBLIC_KEYS_PATH.replace(/\/$/, '')}`;
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const hostname = hostnameOf(req.headers.host);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // The keys are public (AWS serves them to anyone); any name but a tenant's gets them, so a task in a
    // container of its own reaches them at the host's address as the container sees it.
    if (this.#signIn && path.startsWith(PUBLIC_KEYS_PATH) && !this.#config.ruleForHost(hostname)) {
      req.resume();
      const pem = this.#signIn.publicKeyPem(decodeURIComponent(path.slice(PUBLIC_KEYS_PATH.length)));
      res.writeHead(pem ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(pem ?? 'no such key\n');
      return;
    }
    const rule = this.#config.ruleForHost(hostname);
    if (rule?.signIn && this.#signIn && path !== HEALTH_PATH) {
      const origin = `http://${req.headers.host ?? ''}`;
      this.#signIn.authenticate(req, res, origin, rule.signIn).then(
        (outcome) => {
          if ('forward' in outcome) this.#forwardTo(req, res, rule, outcome.forward);
        },
        (error: unknown) => {
          this.#log({ level: 'ERROR', message: 'sign-in failed', tenantId: rule.tenantId, error: error instanceof Error ? error.message : String(error) });
          respondWithError(req, res, 503, 'IdentityProviderUnavailable', 'the identity provider could not be reached to sign you in; try again shortly');
        },
      );
      return;
    }
    if (rule && this.#signIn && path !== HEALTH_PATH) {
      // Fail closed: a rule made before rules recorded their sign-in (an older .humangov) is not served unsigned.
      req.resume();
      respondWithError(
        req,
        res,
        503,
        'SignInNotConfigured',
        `tenant "${rule.tenantId}" was routed before its sign-in was recorded, so it is not served; route it again, keeping its data: humangov tenant remove ${rule.tenantId} --wait, then humangov tenant restore ${rule.tenantId} --wait`,
      );
      return;
    }
    if (!rule) {
      const message = `no tenant is served at "${hostname || '(no Host header)'}"; tenants are served at <tenantId>.localhost:${this.port}`;
      const page = unknownTenantPage({ host: req.headers.host ?? '', tenantHosts: `<tenant id>.localhost:${this.port}`, fleetUrl: this.#fleetUrl });
      respondWithError(req, res, 404, 'UnknownHost', message, page);
      return;
    }
    this.#forwardTo(req, res, rule, undefined);
  }

  #forwardTo(
    req: IncomingMessage,
    res: ServerResponse,
    rule: { tenantId: string; targetGroupArn: string },
    addHeaders: Record<string, string> | undefined,
  ): void {
    // No target to route to: none registered, or none past its initial health check (an ALB answers 503).
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-503-issues
    const target = this.#sets.get(rule.targetGroupArn)?.next();
    if (!target?.agent) {
      respondWithError(req, res, 503, 'NoHealthyTarget', `tenant "${rule.tenantId}" has no healthy target at the moment; try again shortly`);
      return;
    }
    target.inFlight += 1;
    const { host, port } = target.address;
    forward(
      req,
      res,
      { host, port, agent: target.agent },
      { listenerPort: this.port, idleTimeoutMs: this.#idleTimeoutMs, ...(addHeaders ? { addHeaders } : {}) },
      () => {
        target.inFlight -= 1;
        if (target.inFlight === 0) this.#drains.get(target)?.finish();
      },
    );
  }
}

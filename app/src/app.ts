import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { loadAssets } from './assets.ts';
import type { Assets } from './assets.ts';
import { createAwsClients, documentClient } from './aws-clients.ts';
import type { AwsClients } from './aws-clients.ts';
import type { AppConfig } from './config.ts';
import { CsrfTokens } from './csrf.ts';
import { DocumentStorage } from './document-storage.ts';
import { EmployeeRepository } from './employee-repository.ts';
import { EmployeeService } from './employee-service.ts';
import { AuditTrail } from './audit-trail.ts';
import { CognitoGroups } from './cognito-groups.ts';
import type { JwksSource } from './cognito-groups.ts';
import { checkReadiness } from './readiness.ts';
import { employeeApi } from './routes/api.ts';
import { registerAssetRoutes } from './routes/assets.ts';
import { installErrorHandling } from './routes/error-handler.ts';
import { FormSecurity } from './routes/form-security.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { decorateStaff, displayNameOf, registerSignIn } from './routes/sign-in.ts';
import { Signer } from './signing.ts';
import { AlbIdentityVerifier, regionalPublicKeys } from './alb-identity.ts';
import type { PublicKeySource } from './alb-identity.ts';
import type { PageContext } from './views/layout.ts';

export interface AppDeps {
  /** Injected by tests; otherwise built from the configuration and destroyed on close. */
  readonly aws?: AwsClients;
  /** Fastify's logger option; defaults to JSON logs at the configured level. */
  readonly logger?: FastifyServerOptions['logger'];
  readonly now?: () => Date;
  /** The pages' stylesheet, script, fonts and icons; read from the build's output when not given. */
  readonly assets?: Assets;
  /** Whether listening starts EmployeeRepository.reindexNames in the background (default true). */
  readonly reindexNamesOnStart?: boolean;
  /** Where the load balancer's signing keys come from; the configured endpoint's when not given. */
  readonly publicKeys?: PublicKeySource;
  /** Where a Cognito user pool's keys come from; `<issuer>/.well-known/jwks.json` when not given. */
  readonly jwks?: JwksSource;
}

/** Builds one app instance; nothing listens until the caller says so. */
export async function buildApp(config: AppConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const aws = deps.aws ?? createAwsClients(config);
  const now = deps.now ?? (() => new Date());
  const storage = new DocumentStorage(aws.s3, config.bucketName);
  const items = documentClient(aws.dynamodb);
  const service = new EmployeeService(new EmployeeRepository(items, config.tableName), storage, now, new AuditTrail(items, config.tableName));
  const signer = new Signer(config.csrfSecret);
  const security = new FormSecurity(new CsrfTokens(signer, () => now().getTime()), signer);
  const assets = deps.assets ?? (await loadAssets());
  const pageContext = (request: FastifyRequest): PageContext => ({
    usState: config.usState,
    tenantId: config.tenantId,
    path: request.url.split('?')[0] ?? '/',
    stylesheetUrl: assets.stylesheetUrl,
    scriptUrl: assets.scriptUrl,
    signedInAs: request.staff ? displayNameOf(request.staff) : undefined,
  });

  const app = Fastify({
    logger: deps.logger ?? {
      level: config.logLevel,
      base: { tenant: config.tenantId, image: config.appImage, host: hostname(), pid: process.pid },
      redact: ['req.headers.cookie', 'req.headers.authorization'],
    },
    // One line per request (onResponse below) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Behind the load balancer: the client's protocol and address come from X-Forwarded-*.
    trustProxy: true,
    bodyLimit: 64 * 1024,
  });

  let closing = false;
  const stopReindexing = new AbortController();
  app.addHook('preClose', async () => {
    closing = true;
    stopReindexing.abort();
  });
  if (deps.reindexNamesOnStart ?? true) {
    // In the background: a replica serves while it checks; a search misses an old record only until then.
    app.addHook('onListen', async () => {
      service.reindexNames(stopReindexing.signal).then(
        (result) => app.log.info(result, 'name search keys checked'),
        (error: unknown) => {
          if (!stopReindexing.signal.aborted) app.log.error({ err: error }, 'checking the name search keys failed; the next start tries again');
        },
      );
    });
  }
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While shutting down, a keep-alive connection would outlive its last response and hold
    // the process open until the client drops it; asking to close lets shutdown finish now.
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
  if (!deps.aws) {
    app.addHook('onClose', async () => {
      aws.dynamodb.destroy();
      aws.s3.destroy();
    });
  }

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(formbody);
  await app.register(multipart);

  installErrorHandling(app, pageContext);
  decorateStaff(app);
  if (config.signIn) {
    const signIn = config.signIn;
    registerSignIn(app, {
      verifier: new AlbIdentityVerifier({
        loadBalancerArn: signIn.loadBalancerArn,
        keys: deps.publicKeys ?? regionalPublicKeys(config.awsRegion, signIn.publicKeyEndpoint),
      }),
      rule: { issuer: signIn.issuer, group: signIn.group },
      usState: config.usState,
      signOutUrl: signIn.signOutUrl,
      poolGroups: new CognitoGroups(deps.jwks ? { jwks: deps.jwks } : {}),
    });
  } else {
    app.log.warn('SIGN_IN=off: nobody is asked to sign in, and anyone who reaches this app can read and change its records');
  }
  registerHealthRoutes(app, {
    tenantId: config.tenantId,
    appImage: config.appImage,
    checkReadiness: () => checkReadiness(aws.dynamodb, config.tableName, storage),
  });
  registerAssetRoutes(app, assets);
  registerPageRoutes(app, { service, storage, security, maxUploadBytes: config.maxUploadBytes, pageContext });
  await app.register(employeeApi, { prefix: '/api/employees', service, storage, maxUploadBytes: config.maxUploadBytes });
  return app;
}

/**
 * The status API: one Lambda behind the HTTP API (payload format 2.0, IAM auth
 * in AWS), and the same handler behind src/local/api-server.ts on one machine.
 * Request → router → route (src/api) → JSON; every error through one mapper.
 */
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpApiResult } from '../src/api/http.ts';
import { apiErrors, bodyLimit, type ErrorLog } from '../src/api/middleware.ts';
import { createRouter } from '../src/api/router.ts';
import { apiRoutes, type ApiDeps } from '../src/api/routes.ts';
import { lazyHandler, logger } from './lib/step-handler.ts';
import { awsRepositories } from './lib/aws-deps.ts';

export interface ApiHandlerDeps {
  tenants: ApiDeps['tenants'];
  deployments: ApiDeps['deployments'];
  now?: () => Date;
  /** Defaults to the STAGE serverless.yml sets on every function. */
  stage?: string;
  /** Defaults to the functions' shared logger. */
  log?: ErrorLog;
  /** The local provider's state directory, shown by GET /health so that `humangov push` releases into this control plane. */
  localHome?: string;
  /** The local provider's metrics (GET /metrics); none in AWS, where they are CloudWatch metrics. */
  readMetrics?: ApiDeps['readMetrics'];
}

export function makeApiHandler(deps: ApiHandlerDeps) {
  const route = createRouter(
    apiRoutes({
      tenants: deps.tenants,
      deployments: deps.deployments,
      now: deps.now ?? (() => new Date()),
      stage: deps.stage ?? process.env.STAGE ?? 'local',
      ...(deps.localHome === undefined ? {} : { localHome: deps.localHome }),
      ...(deps.readMetrics === undefined ? {} : { readMetrics: deps.readMetrics }),
    }),
  );
  // Order matters on the way out: onError hooks run last-registered first, so
  // apiErrors answers (and logs) while the logger still holds the request's keys.
  return middy<APIGatewayProxyEventV2, HttpApiResult>((event: APIGatewayProxyEventV2) => route(event))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(bodyLimit())
    .use(apiErrors({ log: deps.log ?? logger }));
}

export const handler = lazyHandler(() => makeApiHandler(awsRepositories()));

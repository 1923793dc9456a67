import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ValidationError } from '../errors.ts';
import type { PageContext } from '../views/layout.ts';
import { errorPage } from '../views/layout.ts';

interface HttpProblem {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, string>>;
}

/**
 * The one place errors become responses: JSON `{"error":{code,message}}` for the API and the
 * probes, an HTML page for everything else. 5xx details go to the log, never to the client.
 */
export function installErrorHandling(app: FastifyInstance, pageContext: (request: FastifyRequest) => PageContext): void {
  app.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, reason: problem.message }, 'request refused');
    reply.code(problem.statusCode);
    if (wantsJson(request)) {
      return reply.send({ error: { code: problem.code, message: problem.message, ...(problem.fields ? { fields: problem.fields } : {}) } });
    }
    return reply.type('text/html; charset=utf-8').send(errorPage(pageContext(request), problem.statusCode, problem.message).html);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const error = new AppError(`Nothing at ${request.method} ${request.url.split('?')[0]}`, { statusCode: 404, code: 'not_found' });
    reply.code(404);
    if (wantsJson(request)) return reply.send({ error: { code: error.code, message: error.message } });
    return reply.type('text/html; charset=utf-8').send(errorPage(pageContext(request), 404, 'There is no page at this address.').html);
  });
}

function toProblem(error: unknown, request: FastifyRequest): HttpProblem {
  if (error instanceof ValidationError) return { statusCode: 400, code: error.code, message: error.message, fields: error.fields };
  if (error instanceof AppError && error.expose) return { statusCode: error.statusCode, code: error.code, message: error.message };
  // Fastify's and its plugins' own client errors (bad JSON, unsupported media type, limits).
  const statusCode = typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
  if (statusCode >= 400 && statusCode < 500 && error instanceof Error) {
    const code = 'code' in error && typeof error.code === 'string' ? error.code.replace(/^FST_/, '').toLowerCase() : 'bad_request';
    return { statusCode, code, message: error.message };
  }
  return {
    statusCode: 500,
    code: 'internal_error',
    message: `Something went wrong on our side. It has been logged with request id ${request.id}.`,
  };
}

function wantsJson(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/') || path === '/health' || path === '/ready';
}

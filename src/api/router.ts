/**
 * A router of a few lines, because the API needs two answers @middy/http-router
 * does not give: 405 with `Allow` for a known path under the wrong method, and
 * a 404 that lists the routes there are. It routes on requestContext.http.path
 * and fills `pathParameters`, as API Gateway does for a route with parameters.
 */
import { ApiError } from './errors.ts';
import type { HttpApiEvent, HttpApiResult } from './http.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  event: HttpApiEvent;
  /** Decoded path parameters, by the names in the route's path ("/tenants/{id}" gives `id`). */
  params: Record<string, string>;
  query: Record<string, string | undefined>;
}

export interface Route {
  method: Method;
  /** Literal segments and `{name}` segments, e.g. "/tenants/{id}". */
  path: string;
  handler: (request: ApiRequest) => Promise<HttpApiResult>;
  /** False for routes that are not part of the JSON API (the dashboard): they are left out of "the API has" lists. */
  listed?: boolean;
}

function segments(path: string): string[] {
  // "/tenants/" is "/tenants", as API Gateway's own matching treats it.
  return path.split('/').filter((part, index, all) => index > 0 && !(part === '' && index === all.length - 1));
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed escapes stay as sent; the id check that follows names what is wrong with them.
    return segment;
  }
}

function match(pattern: string[], path: string[]): Record<string, string> | undefined {
  if (pattern.length !== path.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const actual = path[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name !== undefined && actual !== '') params[name] = decode(actual);
    else if (part !== actual) return undefined;
  }
  return params;
}

export function describeRoutes(routes: readonly Route[]): string {
  return routes
    .filter((route) => route.listed !== false)
    .map((route) => `${route.method} ${route.path}`)
    .join(', ');
}

export function createRouter(routes: readonly Route[]): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const compiled = routes.map((route) => ({ route, pattern: segments(route.path) }));
  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.requestContext.http.path || event.rawPath;
    const matches = compiled.flatMap(({ route, pattern }) => {
      const params = match(pattern, segments(path));
      return params ? [{ route, params }] : [];
    });
    if (matches.length === 0) {
      throw new ApiError(404, 'NOT_FOUND', `there is no ${path} here; the API has ${describeRoutes(routes)}`);
    }
    const found = matches.find(({ route }) => route.method === method);
    if (!found) {
      const allowed = [...new Set(matches.map(({ route }) => route.method))];
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; it allows ${allowed.join(', ')}`, {
        headers: { allow: allowed.join(', ') },
      });
    }
    event.pathParameters = { ...event.pathParameters, ...found.params };
    return found.route.handler({ event, params: found.params, query: event.queryStringParameters ?? {} });
  };
}

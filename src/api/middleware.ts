/**
 * The API's two Middy middlewares (factories of `{ before, onError }`, typed on
 * the request shape they read so that src/ needs no Lambda types).
 */
import { ApiError, errorResponse } from './errors.ts';
import { bodyBytes, MAX_BODY_BYTES, type HttpApiEvent, type HttpApiResult } from './http.ts';

/** Where failures that are not the caller's doing are reported (the functions' structured logger). */
export interface ErrorLog {
  error(message: string, attributes: { requestId: string; method?: string; path?: string; error: unknown }): void;
}

/**
 * Refuses an oversized body before it is routed, decoded or parsed. Counted
 * from the raw body, so a base64 body is judged by the bytes it stands for.
 */
export function bodyLimit(maxBytes: number = MAX_BODY_BYTES) {
  return {
    before(request: { event: HttpApiEvent }): void {
      const size = bodyBytes(request.event);
      if (size > maxBytes) {
        throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the body is ${size} bytes; the API takes bodies of at most ${maxBytes} bytes`);
      }
    },
  };
}

/**
 * Answers every error through the one mapper (errors.ts). Errors that are not
 * the caller's are logged here and only here, with the request id the
 * response names; the response itself shows nothing of them.
 */
export function apiErrors(options: { log: ErrorLog }) {
  return {
    onError(request: { event: HttpApiEvent | undefined; error: unknown; response: HttpApiResult | null | undefined }): void {
      const http = request.event?.requestContext?.http;
      const requestId = request.event?.requestContext?.requestId ?? 'unknown';
      const { response, internal } = errorResponse(request.error, requestId);
      if (internal) options.log.error('request failed', { requestId, method: http?.method, path: http?.path, error: request.error });
      request.response = response;
    },
  };
}

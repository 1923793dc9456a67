import { describe, expect, it } from '@jest/globals';
import { expectTypeOf } from 'expect-type';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bodyBytes, json, type HttpApiEvent, type HttpApiResult } from './http.ts';

describe('HTTP API wire shapes', () => {
  it('are the payload 2.0 types of @types/aws-lambda, in both directions', () => {
    expectTypeOf<APIGatewayProxyEventV2>().toExtend<HttpApiEvent>();
    expectTypeOf<HttpApiEvent>().toExtend<APIGatewayProxyEventV2>();
    expectTypeOf<HttpApiResult>().toExtend<APIGatewayProxyStructuredResultV2>();
  });

  it('counts a body in the bytes the client sent, whether plain or base64', () => {
    const text = 'héllo, wörld';
    const bytes = Buffer.byteLength(text);
    expect(bodyBytes({ body: text, isBase64Encoded: false })).toBe(bytes);
    for (const length of [0, 1, 2, 3, 4, 5, 16 * 1024, 16 * 1024 + 1]) {
      const body = Buffer.alloc(length, 7).toString('base64');
      expect(bodyBytes({ body, isBase64Encoded: true })).toBe(length);
    }
    expect(bodyBytes({ isBase64Encoded: false })).toBe(0);
  });

  it('writes JSON that no cache keeps and no browser sniffs', () => {
    expect(json(201, { a: 1 }, { location: '/x' })).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', location: '/x' },
      body: '{"a":1}',
    });
  });
});

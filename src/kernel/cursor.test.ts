import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './cursor.ts';

describe('the page cursor', () => {
  it('gives back the key it was made from', () => {
    const cursor = encodeCursor({ tenantId: 'ca' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor!, 'tenantId')).toEqual({ tenantId: 'ca' });
  });

  it('is absent when there is no next page', () => {
    expect(encodeCursor(undefined)).toBeUndefined();
  });

  it('refuses a cursor that is not one it made, or made for another table', () => {
    expect(decodeCursor('not-a-cursor', 'tenantId')).toBeUndefined();
    expect(decodeCursor(encodeCursor({ tenantId: 'ca' })!, 'deploymentId')).toBeUndefined();
    expect(decodeCursor(Buffer.from('null').toString('base64url'), 'tenantId')).toBeUndefined();
  });
});

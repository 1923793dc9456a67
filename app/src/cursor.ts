import { InvalidCursorError } from './errors.ts';

/**
 * Page cursors are DynamoDB LastEvaluatedKeys wrapped in base64url JSON. They are opaque to
 * clients but not secret: every key they could name is readable anyway, so they are checked
 * for shape (to answer 400, not a DynamoDB error) rather than signed.
 */
export type StartKey = Record<string, string>;

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
}

/** Checks that a decoded value is a start key made of exactly these string attributes. */
export function asStartKey(value: unknown, attributes: readonly string[]): StartKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidCursorError();
  const entries = Object.entries(value);
  const valid =
    entries.length === attributes.length &&
    entries.every(([name, attribute]) => attributes.includes(name) && typeof attribute === 'string' && attribute.length <= 1024);
  if (!valid) throw new InvalidCursorError();
  return value as StartKey;
}

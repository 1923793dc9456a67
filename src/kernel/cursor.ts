/**
 * The one page cursor of the API: the last key a DynamoDB Scan read (LastEvaluatedKey), as
 * base64url JSON. Opaque to clients; the repositories make it and take it back, and the API
 * checks it first so that a mangled one is the caller's 400, not a failure inside a Scan.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The key inside `cursor`, or undefined when it is not one `encodeCursor` made for a table keyed on `keyName`. */
export function decodeCursor(cursor: string, keyName: string): Record<string, unknown> | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof key === 'object' && key !== null && typeof (key as Record<string, unknown>)[keyName] === 'string') return key as Record<string, unknown>;
  } catch {
    // not base64url JSON: not ours
  }
  return undefined;
}

/** `value` without its undefined fields: what DynamoDB stores and what a reader compares. */
export function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Run in every test file's realm before its modules load.
 */

// The functions' structured logs are for CloudWatch; in test output they would bury the failures.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// `npm test` runs tenants' tasks as processes whatever engine the machine has (and so do the
// CLI and `npm start` processes the tests spawn); containers are `npm run test:image`'s.
if (!process.env.HUMANGOV_IMAGE_TESTS) process.env.HUMANGOV_TASK_RUNTIME = 'process';

/*
 * Jest runs each test file in its own realm, but Node's structuredClone builds its copies in
 * Node's realm: `util.isDeepStrictEqual`, which compares prototypes, would then call a copy
 * unequal to its original, as it never does in one process. Copies of the plain data the
 * providers clone (objects, arrays, dates, maps, sets) are therefore made in the test's realm;
 * anything else is left to Node's structuredClone.
 */
const nodeStructuredClone = globalThis.structuredClone;

function cloneInThisRealm<T>(value: T, seen = new Map<object, unknown>()): T {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value) as T;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(cloneInThisRealm(item, seen));
    return copy as T;
  }
  if (value instanceof Date || Object.prototype.toString.call(value) === '[object Date]') return new Date((value as unknown as Date).getTime()) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [cloneInThisRealm(k, seen), cloneInThisRealm(v, seen)])) as T;
  if (value instanceof Set) return new Set([...value].map((v) => cloneInThisRealm(v, seen))) as T;
  if (prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null) {
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const [key, item] of Object.entries(value)) copy[key] = cloneInThisRealm(item, seen);
    return copy as T;
  }
  return nodeStructuredClone(value);
}

globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) =>
  options?.transfer?.length ? nodeStructuredClone(value, options) : cloneInThisRealm(value)) as typeof structuredClone;

/**
 * Step Functions execution names: at most 80 characters of [A-Za-z0-9-_]. Callers derive
 * names from events (tenant ids, image digests, record versions), so the same event always
 * makes the same name: that is what makes a duplicate delivery start nothing.
 */
import { createHash } from 'node:crypto';

export const EXECUTION_NAME_MAX = 80;
const HASH_LENGTH = 10;

/**
 * `raw` unchanged when it is already a valid name; otherwise its invalid characters become
 * "-", it is cut to fit, and a hash of the whole `raw` is appended, so two raw names that
 * clean up to the same text ("a:b", "a.b") or share their first 80 characters stay distinct.
 */
export function executionName(raw: string): string {
  if (raw.length > 0 && raw.length <= EXECUTION_NAME_MAX && /^[A-Za-z0-9_-]+$/.test(raw)) return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, HASH_LENGTH);
  const cleaned = raw.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, EXECUTION_NAME_MAX - HASH_LENGTH - 1);
  return `${cleaned}-${hash}`;
}

/**
 * The log field that ties a change to everything it set off: the name of the execution the
 * change started. The stream handler derives that name from the change before it starts the
 * execution, and every Task state hands its step the name (`executionId`, $$.Execution.Name), so
 * the stream handler's line, each step's lines and the local runner's lines carry the same value.
 * It is Powertools Logger's own key (Logger.setCorrelationId), which CloudWatch Logs Insights
 * queries can filter on: `filter correlation_id = "ca-onboard-4100000000001"`.
 */
export const CORRELATION_ID = 'correlation_id';

import { HumanGovError } from '../../kernel/errors.ts';

/**
 * serverless.yml's rules cannot be used as written (bad pattern, unresolvable
 * variable, unknown rule id): fixing the file, or the wiring, is the way forward.
 */
export class EventRuleError extends HumanGovError {
  override name = 'EventRuleError';
}

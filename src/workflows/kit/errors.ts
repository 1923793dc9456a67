import { HumanGovError } from '../../kernel/errors.ts';

/**
 * A Task state passed a step an input it cannot use: a defect in the state machine
 * definition, not in the tenant or the image, so no Retry rule matches it.
 */
export class StepInputError extends HumanGovError {
  override name = 'StepInputError';
}

/**
 * The image-deploy workflow's input, as the EventBridge rule's InputTransformer
 * builds it: `{"event": <the ECR push event>, "maxConcurrency": 50, "failureThreshold": 1}`.
 */
import * as z from 'zod/mini';
import '../kernel/zod-english.ts';
import { describeIssues, imageRefSchema, type ImageRef } from '../tenants/schema.ts';
import { InvalidDeployEventError } from './errors.ts';
import { executionName } from '../kernel/execution-name.ts';

export const DEFAULT_MAX_CONCURRENCY = 50;
export const DEFAULT_FAILURE_THRESHOLD = 1;
/** ECS throttles well before this; more tenants at once would only mean more retries. */
export const MAX_CONCURRENCY_LIMIT = 100;

const ecrPushEventSchema = z.object({
  id: z.string().check(z.minLength(1, 'id must be the EventBridge event id')),
  time: z.iso.datetime({ message: 'time must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z' }),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: z.object({
    'repository-name': z.string().check(z.minLength(1, 'repository-name must not be empty')),
    'image-digest': imageRefSchema.shape.digest,
    'image-tag': z.string().check(z.minLength(1, 'image-tag must name the pushed tag (untagged pushes do not deploy)')),
    'action-type': z.literal('PUSH', { message: 'action-type must be PUSH' }),
    result: z.literal('SUCCESS', { message: 'result must be SUCCESS' }),
  }),
});
export type EcrPushEvent = z.infer<typeof ecrPushEventSchema>;

const deployInputSchema = z.object({
  event: ecrPushEventSchema,
  maxConcurrency: z._default(z.number().check(z.int(), z.gte(1), z.lte(MAX_CONCURRENCY_LIMIT)), DEFAULT_MAX_CONCURRENCY),
  failureThreshold: z._default(z.number().check(z.int(), z.gte(0)), DEFAULT_FAILURE_THRESHOLD),
});

export interface DeployRequest {
  deploymentId: string;
  event: EcrPushEvent;
  image: ImageRef;
  maxConcurrency: number;
  failureThreshold: number;
}

/**
 * Validates the input and derives the deployment it asks for. The image is
 * pulled from `imageRepository` (the platform's repository URI), which must be
 * the repository the push went to.
 */
export function parseDeployRequest(input: unknown, imageRepository: string): DeployRequest {
  const parsed = deployInputSchema.safeParse(input);
  if (!parsed.success) throw new InvalidDeployEventError(`not an ECR push event this workflow deploys: ${describeIssues(parsed.error)}`);
  const { event, maxConcurrency, failureThreshold } = parsed.data;
  const repositoryName = event.detail['repository-name'];
  if (imageRepository !== repositoryName && !imageRepository.endsWith(`/${repositoryName}`)) {
    throw new InvalidDeployEventError(
      `the push went to repository "${repositoryName}", but tenants run images from "${imageRepository}"; only pushes to that repository deploy`,
    );
  }
  return {
    deploymentId: deploymentIdFor(event),
    event,
    image: { repository: imageRepository, tag: event.detail['image-tag'], digest: event.detail['image-digest'] },
    maxConcurrency,
    failureThreshold,
  };
}

/**
 * The deployment id of an event: its time (so ids sort by push) and its
 * EventBridge id. EventBridge delivers at least once, and a redelivery carries
 * the same id and time, so it maps to the same deployment. Two distinct pushes
 * are two events with distinct ids, even of the same digest. The id is also a
 * valid Step Functions execution name (80 characters of [A-Za-z0-9_-]).
 */
export function deploymentIdFor(event: Pick<EcrPushEvent, 'id' | 'time'>): string {
  const stamp = new Date(event.time)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return executionName(`${stamp}-${event.id}`);
}

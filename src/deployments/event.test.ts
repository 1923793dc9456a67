import { describe, expect, it } from '@jest/globals';
import { InvalidDeployEventError } from './errors.ts';
import { deploymentIdFor, parseDeployRequest } from './event.ts';

const REPOSITORY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/humangov-app';
const DIGEST = `sha256:${'b'.repeat(64)}`;
const event = {
  id: '4f5ec4d5-4de4-7aad-a046-56d5cfe1df0e',
  time: '2025-03-01T12:34:56Z',
  account: '123456789012',
  region: 'us-east-1',
  detail: { 'repository-name': 'humangov-app', 'image-digest': DIGEST, 'image-tag': 'v1.2.0', 'action-type': 'PUSH', result: 'SUCCESS' },
};

describe('parseDeployRequest', () => {
  it('derives the deployment, pinning the image by digest in the platform repository', () => {
    expect(parseDeployRequest({ event, maxConcurrency: 10, failureThreshold: 2 }, REPOSITORY)).toMatchObject({
      deploymentId: '20250301T123456Z-4f5ec4d5-4de4-7aad-a046-56d5cfe1df0e',
      image: { repository: REPOSITORY, tag: 'v1.2.0', digest: DIGEST },
      maxConcurrency: 10,
      failureThreshold: 2,
    });
  });

  it('defaults maxConcurrency to 50 and failureThreshold to 1', () => {
    expect(parseDeployRequest({ event }, REPOSITORY)).toMatchObject({ maxConcurrency: 50, failureThreshold: 1 });
  });

  it('names every problem of a malformed event', () => {
    const bad = { event: { ...event, time: 'yesterday', detail: { ...event.detail, 'image-digest': 'sha256:xyz', result: 'FAILURE' } }, maxConcurrency: 0 };
    expect(() => parseDeployRequest(bad, REPOSITORY)).toThrow(InvalidDeployEventError);
    expect(() => parseDeployRequest(bad, REPOSITORY)).toThrow(
      /event.time: .*event.detail.image-digest: .*event.detail.result: result must be SUCCESS.*maxConcurrency/,
    );
  });

  it('refuses a push to another repository than the one tenants run', () => {
    const other = { event: { ...event, detail: { ...event.detail, 'repository-name': 'someone-else' } } };
    expect(() => parseDeployRequest(other, REPOSITORY)).toThrow(/went to repository "someone-else"/);
  });
});

describe('deploymentIdFor', () => {
  it('is the same for a redelivery and a valid execution name', () => {
    const id = deploymentIdFor({ id: 'a b/c', time: '2025-03-01T12:34:56.789Z' });
    expect(id).toBe(deploymentIdFor({ id: 'a b/c', time: '2025-03-01T12:34:56.789Z' }));
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { failureMessage } from '../kit/failure.ts';

describe('failureMessage', () => {
  it('takes the message out of the JSON envelope AWS puts around a Lambda error', () => {
    const cause = JSON.stringify({
      errorType: 'NoReleaseError',
      errorMessage: 'no release yet: push an image tagged v*',
      trace: ['NoReleaseError: ...', '    at registerTaskDefinition'],
    });
    expect(failureMessage({ Error: 'NoReleaseError', Cause: cause })).toBe('no release yet: push an image tagged v*');
  });

  it('uses a bare Cause as it is (the local runner gives the message alone)', () => {
    expect(failureMessage({ Error: 'PermanentCloudError', Cause: 'quota reached' })).toBe('quota reached');
  });

  it('says which error when there is no message at all', () => {
    expect(failureMessage({ Error: 'States.Timeout' })).toBe('a step timed out (States.Timeout)');
    expect(failureMessage({ Error: 'Lambda.Unknown', Cause: '' })).toBe('a step failed with Lambda.Unknown');
  });

  it('keeps a reason short enough for the status API', () => {
    expect(failureMessage({ Error: 'X', Cause: 'x'.repeat(5000) })).toHaveLength(600);
  });
});

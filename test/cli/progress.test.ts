import { describe, expect, it } from '@jest/globals';
import { WaitInterruptedError, WaitTimeoutError } from '../../src/cli/errors.ts';
import { follow, type ProgressOutput, type Verdict } from '../../src/cli/progress.ts';

function output(isTTY: boolean): ProgressOutput & { text: string } {
  const out = { text: '', isTTY, columns: 60, write: (chunk: string) => void (out.text += chunk) };
  return out;
}

/** A poll that answers the given statuses in turn, then repeats the last. */
function statuses(...values: string[]): () => Promise<string> {
  let i = 0;
  return async () => values[Math.min(i++, values.length - 1)] as string;
}

const verdict = (status: string): Verdict => (status === 'ACTIVE' ? 'ended-as-wanted' : status === 'FAILED' ? 'ended-otherwise' : 'pending');
const base = { verdict, describe: (s: string) => s, what: 'tenant "ca"', lookAgain: 'humangov tenant show ca', intervalMs: 1, timeoutMs: 5_000 };

describe('follow', () => {
  it('returns the last value once it ended as wanted', async () => {
    await expect(follow({ ...base, poll: statuses('NEW', 'PROVISIONING', 'ACTIVE') })).resolves.toEqual({ value: 'ACTIVE', verdict: 'ended-as-wanted' });
  });

  it('returns, not throws, when it ended otherwise: the caller decides the exit code', async () => {
    await expect(follow({ ...base, poll: statuses('PROVISIONING', 'FAILED') })).resolves.toEqual({ value: 'FAILED', verdict: 'ended-otherwise' });
  });

  it('writes one line per change when the output is not a terminal', async () => {
    const out = output(false);
    await follow({ ...base, out, poll: statuses('PROVISIONING', 'PROVISIONING', 'PROVISIONING', 'ACTIVE') });
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[ +\d+s\] PROVISIONING$/);
    expect(lines[1]).toMatch(/^\[ +\d+s\] ACTIVE$/);
    expect(out.text).not.toContain('\r');
  });

  it('redraws one spinner line in place on a terminal and clears it at the end', async () => {
    const out = output(true);
    await follow({ ...base, out, poll: statuses('PROVISIONING', 'ACTIVE') });
    expect(out.text).toContain('\r\x1b[2K');
    expect(out.text).toMatch(/PROVISIONING \(\d+s\)/);
    expect(out.text).not.toContain('\n');
    expect(out.text.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('cuts a spinner line to the terminal width so that it never wraps', async () => {
    const out = output(true);
    await follow({ ...base, out, poll: statuses(`PROVISIONING: ${'x'.repeat(200)}`, 'ACTIVE') });
    for (const line of out.text.split('\r\x1b[2K')) expect([...line].length).toBeLessThanOrEqual(59);
  });

  it('gives up after the timeout, saying what it was still doing and how to look again', async () => {
    const error = await follow({ ...base, timeoutMs: 20, poll: statuses('PROVISIONING') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/gave up waiting for tenant "ca" after 0.02s: it is still PROVISIONING.*humangov tenant show ca.*--timeout/);
  });

  it('stops with exit code 130 when interrupted, leaving the workflow to carry on', async () => {
    const controller = new AbortController();
    let polls = 0;
    const poll = async () => {
      if (++polls === 2) controller.abort(new Error('SIGINT'));
      return 'PROVISIONING';
    };
    const error = await follow({ ...base, poll, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitInterruptedError);
    expect((error as WaitInterruptedError).exitCode).toBe(130);
  });

  it('passes a failing poll on', async () => {
    const poll = () => Promise.reject(new Error('no control plane'));
    await expect(follow({ ...base, poll })).rejects.toThrow('no control plane');
  });
});

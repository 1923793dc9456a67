/**
 * No partition is written anywhere: the templates packaged for the commercial partition and
 * for AWS GovCloud (US), serverless.yml and the code that runs (src/, functions/, outside tests
 * and their fixtures) build every ARN from the partition of the region. Runtime ARNs are also
 * checked by the IAM gate itself (iam-permissions.test.ts): in us-gov-west-1 a runtime ARN of
 * another partition matches no grant.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { packagedStack, ROOT, variantIn } from './support/packaged-stack.ts';

/** An ARN with its partition written out: `arn:aws:`, `arn:aws-us-gov:`, `arn:aws-cn:`, `arn:aws-iso-b:`... */
const PARTITION_LITERAL = /arn:aws(-[a-z]+)*:/g;

async function runtimeSources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : runtimeSources(path);
      return /\.(ts|js|cjs|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
    }),
  );
  return files.flat();
}

const literalsIn = (text: string, where: string) =>
  text.split('\n').flatMap((line, i) => (line.match(PARTITION_LITERAL) ? [`${where}:${i + 1}: ${line.trim().slice(0, 160)}`] : []));

describe('ARN partitions', () => {
  it.each(['us-east-1', 'us-gov-west-1'])(
    'the template packaged for %s names no partition, only ${AWS::Partition}',
    async (region) => {
      const { dir } = await packagedStack(variantIn(region));
      const text = await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');

      expect(text.match(PARTITION_LITERAL) ?? []).toEqual([]);
      expect(text).toContain('${AWS::Partition}');
    },
    300_000,
  );

  it('serverless.yml names no partition', async () => {
    expect(literalsIn(await readFile(join(ROOT, 'serverless.yml'), 'utf8'), 'serverless.yml')).toEqual([]);
  });

  it('the code that runs names no partition: every ARN is built for the region', async () => {
    const files = [...(await runtimeSources('src')), ...(await runtimeSources('functions')), ...(await runtimeSources('bin'))];
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const file of files) found.push(...literalsIn(await readFile(join(ROOT, file), 'utf8'), relative(ROOT, join(ROOT, file))));

    expect(found).toEqual([]);
  });
});

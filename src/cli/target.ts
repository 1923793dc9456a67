/**
 * Which control plane the CLI talks to: --api, else HUMANGOV_API, else the
 * one `humangov use <url>` saved, else the local default. The saved target is
 * a small JSON file in the user's config directory (XDG_CONFIG_HOME), so every
 * shell and directory agrees on it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.ts';

export type TargetSource = '--api' | 'HUMANGOV_API' | 'humangov use' | 'default';

export interface Target {
  url: string;
  source: TargetSource;
}

export function localApiUrl(env: NodeJS.ProcessEnv): string {
  return `http://127.0.0.1:${env.HUMANGOV_API_PORT || 3000}`;
}

/** HUMANGOV_CONFIG names the file outright (tests, several setups side by side). */
export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.HUMANGOV_CONFIG) return env.HUMANGOV_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'humangov', 'config.json');
}

export function resolveTarget(api: string | undefined, env: NodeJS.ProcessEnv): Target {
  if (api) return { url: api, source: '--api' };
  if (env.HUMANGOV_API) return { url: env.HUMANGOV_API, source: 'HUMANGOV_API' };
  const saved = readSaved(env);
  if (saved) return { url: saved, source: 'humangov use' };
  return { url: localApiUrl(env), source: 'default' };
}

/** Checks and saves the target; returns it as stored (no trailing slash). */
export function saveTarget(url: string, env: NodeJS.ProcessEnv): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `"${url}" is not a URL; give the status API's address, e.g. http://127.0.0.1:3000 or https://abc123.execute-api.us-east-1.amazonaws.com`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`"${url}" is not an http(s) URL`);
  const stored = parsed.href.replace(/\/+$/, '');
  const file = configPath(env);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ api: stored }, null, 2)}\n`);
  return stored;
}

function readSaved(env: NodeJS.ProcessEnv): string | undefined {
  let text: string;
  try {
    text = readFileSync(configPath(env), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const api = (JSON.parse(text) as { api?: unknown }).api;
    return typeof api === 'string' && api !== '' ? api : undefined;
  } catch {
    throw new UsageError(`${configPath(env)} is not valid JSON; set the target again with \`humangov use <api-url>\``);
  }
}

import type { Signer } from './signing.ts';
import type { Flash } from './views/layout.ts';

export const FLASH_COOKIE = 'hg_flash';
export const FLASH_MAX_AGE_SECONDS = 60;
const PURPOSE = 'flash-v1';

/** Flash messages ride in a short-lived signed cookie, so no replica needs to remember them. */
export function encodeFlash(signer: Signer, flash: Flash): string {
  const data = Buffer.from(JSON.stringify(flash)).toString('base64url');
  return `${data}.${signer.sign(PURPOSE, data)}`;
}

export function decodeFlash(signer: Signer, cookie: string | undefined): Flash | undefined {
  if (!cookie) return undefined;
  const [data, signature] = cookie.split('.');
  if (!data || !signature || !signer.verify(PURPOSE, data, signature)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(data, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || !('kind' in value) || !('message' in value)) return undefined;
    const { kind, message } = value;
    if ((kind !== 'success' && kind !== 'error') || typeof message !== 'string') return undefined;
    return { kind, message };
  } catch {
    return undefined;
  }
}

import type { IncomingMessage } from 'node:http';
import { readBody as readBytes } from '@conduit/emulator-kit';
import { TikTokApiError, TikTokCode } from './tiktok-codes';

export { sendHtml, sendJson, sendText, sleep, type Json } from '@conduit/emulator-kit';

/** The most of a JSON (or form) body the emulator reads. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Reads a body up to `limit` bytes; past it, TikTok's 40002 (never buffers more). */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const bytes = await readBytes(
    request,
    limit,
    () => new TikTokApiError(TikTokCode.PARAM_INVALID, `The request body is larger than ${limit} bytes.`),
  );
  return bytes.toString('utf8');
}

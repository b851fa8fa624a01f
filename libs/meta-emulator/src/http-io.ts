import type { ServerResponse } from 'node:http';
import { sendJson as sendJsonAs } from '@conduit/emulator-kit';

export { BodyTooLargeError, readBody, sendHtml, sendText, sleep, type Json } from '@conduit/emulator-kit';

/** Graph spells its JSON content type `charset=UTF-8`. */
export const GRAPH_JSON = 'application/json; charset=UTF-8';

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonAs(response, status, body, headers, GRAPH_JSON);
}

export function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { Location: location, 'Content-Length': 0 }).end();
}

import type { ServerResponse } from 'node:http';
import {
  sendCutBody as sendCut,
  sendHugeBody as sendHuge,
  sendJson,
  sendNotJson as sendGatewayPage,
  withoutFields,
  type Json,
} from '@conduit/emulator-kit';

/** The size of a `hugeBody` answer: far beyond any answer TikTok documents (tens of KB at most). */
export { HUGE_BODY_BYTES } from '@conduit/emulator-kit';

/**
 * What a client acts on in each path's `data` (the connector: a token, an id, a file path, page
 * totals, an audience's state): a `missingFields` answer leaves these out and keeps the rest. A path
 * not listed loses all of its `data`.
 */
export const USED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '/oauth2/access_token/': ['access_token'],
  '/oauth2/advertiser/get/': ['list'],
  '/advertiser/info/': ['list'],
  '/dmp/custom_audience/file/upload/': ['file_path'],
  '/dmp/custom_audience/create/': ['custom_audience_id'],
  '/dmp/custom_audience/update/': ['custom_audience_id'],
  '/dmp/custom_audience/list/': ['list', 'page_info'],
  '/dmp/custom_audience/get/': ['list'],
};

export function withoutUsedFields(path: string, data: Json): Json {
  return withoutFields(USED_FIELDS[path], data);
}

/** The headers and the first half of the JSON answer, then the socket is destroyed mid-body. */
export function sendCutBody(response: ServerResponse, envelope: unknown): void {
  sendCut(response, 200, envelope);
}

/** A gateway's page instead of TikTok's answer, with HTTP 200. */
export function sendNotJson(response: ServerResponse, requestId: string): void {
  sendGatewayPage(response, {
    title: 'Service notice',
    content: '<h1>We are sorry, the page is temporarily unavailable.</h1>',
    reference: requestId,
  });
}

/** JSON, HTTP 200, but none of TikTok's envelope (no code, message or data). */
export function sendNoEnvelope(response: ServerResponse, requestId: string): void {
  sendJson(response, 200, { status: 'success', result: 'accepted', request_id: requestId });
}

/**
 * A valid envelope padded to HUGE_BODY_BYTES, streamed at the socket's pace (the emulator never holds
 * it); a client that stops reading and closes the connection ends the stream.
 */
export function sendHugeBody(response: ServerResponse, requestId: string): Promise<void> {
  return sendHuge(response, {
    head: `{"code":0,"message":"OK","request_id":"${requestId}","data":{"padding":"`,
    tail: '"}}',
  });
}

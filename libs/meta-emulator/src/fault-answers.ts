import type { ServerResponse } from 'node:http';
import {
  sendCutBody as sendCut,
  sendHugeBody as sendHuge,
  sendNotJson as sendGatewayPage,
  withoutFields,
} from '@conduit/emulator-kit';
import { GRAPH_JSON, type Json } from './http-io';

/** The size of a `hugeBody` answer: far beyond any answer of the audience endpoints (KBs). */
export { HUGE_BODY_BYTES } from '@conduit/emulator-kit';

/**
 * What a connector acts on in each route's answer: a `missingFields` answer leaves these out and keeps
 * the rest. A route not listed answers `{}`.
 */
export const USED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'GET /oauth/access_token': ['access_token'],
  'POST /oauth/access_token': ['access_token'],
  'GET /debug_token': ['data'],
  'GET /me/adaccounts': ['data'],
  'GET /act_{ad_account_id}': ['tos_accepted'],
  'POST /act_{ad_account_id}/customaudiences': ['id'],
  'GET /act_{ad_account_id}/customaudiences': ['data'],
  'GET /{audience_id}': [
    'operation_status',
    'approximate_count_lower_bound',
    'approximate_count_upper_bound',
  ],
  'POST /{audience_id}/users': ['num_received', 'session_id'],
  'DELETE /{audience_id}/users': ['num_received', 'session_id'],
  'POST /{audience_id}/usersreplace': ['num_received', 'session_id'],
};

export function withoutUsedFields(route: string, body: Json): Json {
  return withoutFields(USED_FIELDS[route], body);
}

/** The headers and the first half of the JSON answer, then the socket is destroyed mid-body. */
export function sendCutBody(response: ServerResponse, status: number, body: unknown): void {
  sendCut(response, status, body, GRAPH_JSON);
}

/** A gateway's page instead of Graph's answer, with HTTP 200. */
export function sendNotJson(response: ServerResponse, fbtraceId: string): void {
  sendGatewayPage(response, {
    title: 'Facebook | Error',
    content:
      "<h1>Sorry, something went wrong.</h1><p>We're working on it and we'll get it fixed as soon as we can.</p>",
    reference: fbtraceId,
  });
}

/** A JSON body padded to HUGE_BODY_BYTES, streamed at the socket's pace (never held in memory). */
export function sendHugeBody(response: ServerResponse): Promise<void> {
  return sendHuge(response, { head: '{"data":[],"padding":"', tail: '"}' }, GRAPH_JSON);
}

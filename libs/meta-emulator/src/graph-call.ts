import type { IncomingMessage } from 'node:http';
import type { FaultOutcome } from './faults';
import type { Json } from './http-io';

/** One Graph call as the emulator received and answered it, for specs to assert what reached "Meta". */
export interface RequestLogEntry {
  /** After a `method=DELETE` override. */
  method: string;
  /** The route template, e.g. `POST /{audience_id}/users`; `null` for an unknown path. */
  route: string | null;
  path: string;
  version: string;
  /** The Graph error code answered, `null` on success. */
  code: number | null;
  subcode?: number;
  httpStatus: number;
  adAccountId?: string;
  audienceId?: string;
  /** A fingerprint of the access token (never the token). */
  tokenId?: string;
  fault?: FaultOutcome;
  delayedMs?: number;
  /** `/users` and `/usersreplace`: rows in the request, the session and the batch. */
  rows?: number;
  sessionId?: string;
  batchSeq?: number;
  fbtraceId: string;
  at: string;
}

/** A Graph call on its way through a route: what a handler reads and what it adds to the answer. */
export interface GraphCall {
  method: string;
  route: string;
  version: string;
  /** Path ids the route template names: `ad_account_id` (numeric, no `act_`), `audience_id`. */
  ids: { ad_account_id?: string; audience_id?: string };
  params: Json;
  request: IncomingMessage;
  /** `http://host:port/v25.0`: where `paging.next` links point. */
  versionUrl: string;
  logEntry: RequestLogEntry;
  /** Headers to send with the answer, success or error (usage headers). */
  headers: Record<string, string>;
}

export type RouteHandler = (call: GraphCall) => Promise<Json> | Json;

/** A Graph route: method and template (`/act_{ad_account_id}/customaudiences`) → handler. */
export interface GraphRoute {
  method: string;
  template: string;
  handle: RouteHandler;
}

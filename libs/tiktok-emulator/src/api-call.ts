import type { IncomingMessage } from 'node:http';
import type { FaultOutcome } from './faults';

/** One answered API call, for tests to assert exactly what reached "TikTok". */
export interface RequestLogEntry {
  method: string;
  path: string;
  code: number | null;
  httpStatus: number;
  advertiserId?: string;
  /**
   * A fingerprint of the call's Access-Token (never the token): which connection made the call, even
   * when a fault answered before the advertiser was read.
   */
  tokenId?: string;
  fault?: FaultOutcome;
  /** How long the call was held before it was handled (latency and spikes), when it was. */
  delayedMs?: number;
  requestId: string;
  at: string;
}

/** An API call on its way through a route: what a handler reads. */
export interface ApiCall {
  method: string;
  /** Relative to /open_api/v1.3, with TikTok's trailing slash: `/user/info/`. */
  path: string;
  query: Record<string, string>;
  request: IncomingMessage;
  logEntry: RequestLogEntry;
}

/**
 * A route's handler resolves with the `data` of a successful answer, typed by the shared wire types
 * (`@conduit/destinations-tiktok-wire`), or throws a TikTokApiError.
 */
export type ApiRoute = (call: ApiCall) => Promise<object>;

/** The API's routes by `METHOD /path/`. */
export type ApiRoutes = Readonly<Record<string, ApiRoute>>;

/**
 * A number as the client's lossless JSON parser hands it over: integers beyond 2^53 (TikTok's 19-digit
 * ids when sent unquoted) arrive as their exact decimal string, every other number as a number.
 */
export type WireNumber = number | string;

/** An id: TikTok documents strings, but a number (safe or not) must be accepted and turned into one. */
export type WireId = string | number;

/** Every TikTok answer, success or failure (`code: 0` is success; errors usually come with HTTP 200). */
export interface TikTokEnvelope<T = unknown> {
  code: number;
  message: string;
  request_id: string;
  data: T;
}

/** TikTok's time format in answers: `YYYY-MM-DD HH:MM:SS`, UTC. */
export type WireTime = string;

// The schemas of the values a connector acts on. `description` says what was expected when a value
// fails (the client's message quotes it, never the value).

/** A non-empty string, or a safe integer (a larger one arrives as its digit string). */
export const ID_SCHEMA = {
  type: ['string', 'integer'],
  minLength: 1,
  minimum: -Number.MAX_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'an id',
} as const;

/** What `Number()` reads as a finite number: decimals, exponents, 0x/0b/0o literals, spaces around. */
const NUMERIC_TEXT =
  '^\\s*(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+)\\s*$';

/** A count: a number, or a digit string when TikTok quotes it (or it exceeds 2^53). */
export const COUNT_SCHEMA = {
  type: ['number', 'string'],
  pattern: NUMERIC_TEXT,
  description: 'a number',
} as const;

/** A string the connector acts on: never empty. */
export const TEXT_SCHEMA = { type: 'string', minLength: 1, description: 'a string' } as const;

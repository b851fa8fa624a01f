import type { NormalizeOptions, RejectionReason } from './identifier-types';

type Rejection<R extends RejectionReason = RejectionReason> = { readonly ok: false; readonly reason: R };

const reject = <R extends RejectionReason>(reason: R): Rejection<R> => Object.freeze({ ok: false, reason });

/**
 * One shared, frozen result per reason: rejections are common in real segments (empty cells, typos)
 * and the export path runs tens of millions of values, so they are not allocated per call.
 */
export const REJECTED: { readonly [R in RejectionReason]: Rejection<R> } = {
  EMPTY: reject('EMPTY'),
  MALFORMED: reject('MALFORMED'),
  TOO_LONG: reject('TOO_LONG'),
  NOT_HASHED: reject('NOT_HASHED'),
  LOOKS_HASHED: reject('LOOKS_HASHED'),
  MULTI_VALUE: reject('MULTI_VALUE'),
};

/** Default options, shared so that calls without options do not allocate an empty object each. */
export const NO_OPTIONS: NormalizeOptions = Object.freeze({});

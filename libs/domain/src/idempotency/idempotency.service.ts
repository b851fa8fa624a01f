import { createHash } from 'node:crypto';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { newId } from '../common/ids';
import { IdempotencyRecord } from './idempotency-record.entity';

/** How long a key is remembered (as Stripe: 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A request silent this long under its key died with its process: a repeat may take the key over. */
export const IDEMPOTENCY_STALE_AFTER_MS = 60 * 60 * 1000;

export interface IdempotentRequest {
  companyId: string;
  key: string;
  /** `METHOD /path` of the request (ids included). */
  operation: string;
  /** The parsed body, when the operation reads one as JSON (a streamed upload has none here). */
  body?: unknown;
}

/** What to do with a request that carries an `Idempotency-Key`. */
export type IdempotencyClaim =
  | { kind: 'proceed'; recordId: string }
  | { kind: 'replay'; status: number; body: unknown };

/**
 * Idempotency keys for writes that start work (README, "API at a glance"): the first request with a key proceeds and its
 * successful response is kept for 24 hours; a repeat gets that response back instead of starting the
 * work again; a repeat while the first still runs, or with another request under the same key, is
 * refused. A failed request releases its key, so the caller may retry with it.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async claim(request: IdempotentRequest): Promise<IdempotencyClaim> {
    const now = this.clock.now();
    const fingerprint = fingerprintOf(request);
    // Forget expired keys (every company's: an index range on expires_at) before looking this one up.
    await this.em.nativeDelete(IdempotencyRecord, { expiresAt: { $lte: now } });
    const id = newId('idm');
    try {
      await this.em.insert(IdempotencyRecord, {
        id,
        company: request.companyId,
        key: request.key,
        fingerprint,
        operation: request.operation,
        startedAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
      });
      return { kind: 'proceed', recordId: id };
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
    }

    const existing = await this.em.findOne(
      IdempotencyRecord,
      { company: request.companyId, key: request.key },
      { disableIdentityMap: true },
    );
    // Released (its request failed) between our insert and this read: claim it afresh.
    if (!existing) return this.claim(request);
    if (existing.fingerprint !== fingerprint) {
      throw new DomainException(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `This Idempotency-Key was used for another request (${existing.operation}); send a new key with a new request.`,
        [{ field: 'Idempotency-Key', rule: 'unique', message: 'must be new for each distinct request' }],
      );
    }
    if (existing.responseStatus !== null) {
      return {
        kind: 'replay',
        status: existing.responseStatus,
        body: existing.responseBody === null ? undefined : (JSON.parse(existing.responseBody) as unknown),
      };
    }
    const stale = existing.startedAt.getTime() <= now.getTime() - IDEMPOTENCY_STALE_AFTER_MS;
    const takenOver =
      stale &&
      (await this.em.nativeUpdate(
        IdempotencyRecord,
        { id: existing.id, responseStatus: null, startedAt: existing.startedAt },
        { startedAt: now },
      )) === 1;
    if (takenOver) return { kind: 'proceed', recordId: existing.id };
    throw new DomainException(
      ErrorCode.IDEMPOTENCY_KEY_IN_USE,
      'A request with this Idempotency-Key is still being processed; retry once it has finished to get its result.',
    );
  }

  /** Keeps the successful response for repeats of the key. */
  async complete(recordId: string, status: number, body: unknown): Promise<void> {
    await this.em.nativeUpdate(
      IdempotencyRecord,
      { id: recordId },
      { responseStatus: status, responseBody: body === undefined ? null : JSON.stringify(body) },
    );
  }

  /** Releases the key of a request that failed, so its caller can retry with it. */
  async release(recordId: string): Promise<void> {
    await this.em.nativeDelete(IdempotencyRecord, { id: recordId, responseStatus: null });
  }
}

function fingerprintOf(request: IdempotentRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.operation, request.body ?? null]))
    .digest('hex');
}

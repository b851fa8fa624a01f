import { createHash } from 'node:crypto';
import {
  DomainException,
  ErrorCode,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IdempotencyService,
  type Principal,
} from '@conduit/domain';
import {
  applyDecorators,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { drainBody, dropUnreadBody } from './unread-body';

const IDEMPOTENT = Symbol('idempotent');
const HEADER = 'Idempotency-Key';
/** How much of the operation the idempotency record keeps (its `operation` column). */
const OPERATION_MAX_LENGTH = 300;
/** Visible ASCII only: what a UUID, a ULID or any job id a script has looks like. */
const KEY_FORMAT = new RegExp(`^[\\x21-\\x7e]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`);

/**
 * Marks a write that starts work (README, "API at a glance"): it accepts an `Idempotency-Key` header, and a repeat with
 * the same key answers the first result (with `Idempotent-Replayed: true`) instead of starting again.
 * Its `@ApiErrors` lists `IDEMPOTENCY_KEY_IN_USE` and `IDEMPOTENCY_KEY_REUSED`.
 */
export function Idempotent(): MethodDecorator {
  return applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: HEADER,
      required: false,
      description:
        'Any unique string (e.g. a UUID), up to 255 visible ASCII characters. A repeat with the same key within ' +
        '24 hours answers the first successful result instead of starting the work again.',
    }),
  );
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.reflector.get<boolean>(IDEMPOTENT, context.getHandler())) {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const key = request.header(HEADER);
    if (key === undefined || !request.principal) return next.handle();
    return from(this.handle(key, request, context.switchToHttp().getResponse<Response>(), next));
  }

  private async handle(
    key: string,
    request: Request & { principal?: Principal },
    response: Response,
    next: CallHandler,
  ): Promise<unknown> {
    if (!KEY_FORMAT.test(key)) {
      throw new DomainException(
        ErrorCode.VALIDATION_FAILED,
        `The ${HEADER} header must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters (a UUID works).`,
        [
          {
            field: HEADER,
            rule: 'format',
            message: `must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters`,
          },
        ],
      );
    }
    const claim = await this.idempotency
      .claim({
        companyId: (request.principal as Principal).companyId,
        key,
        operation: operationOf(request),
        // A streamed (multipart) body is not read here; such a request is identified by its operation.
        body: request.is('multipart/form-data') ? undefined : request.body,
      })
      .catch((error: unknown) => {
        dropUnreadBody(request, response);
        throw error;
      });
    if (claim.kind === 'replay') {
      await drainBody(request);
      response.status(claim.status).setHeader('Idempotent-Replayed', 'true');
      return claim.body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.idempotency.complete(claim.recordId, response.statusCode, body);
      return body;
    } catch (error) {
      await this.idempotency.release(claim.recordId);
      throw error;
    }
  }
}

/**
 * `POST /collaborations/…/refresh`, what the key is bound to. No real path comes near the stored
 * length, but a garbage one may: it keeps its start and a hash of the whole, so it still names one path
 * (and the database never refuses it with a 500).
 */
function operationOf(request: Request): string {
  const operation = `${request.method} ${request.path}`;
  if (operation.length <= OPERATION_MAX_LENGTH) return operation;
  const digest = createHash('sha256').update(operation).digest('hex').slice(0, 16);
  return `${operation.slice(0, OPERATION_MAX_LENGTH - digest.length - 2)}…#${digest}`;
}

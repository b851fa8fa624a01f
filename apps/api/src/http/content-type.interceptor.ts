import { DomainException, ErrorCode } from '@conduit/domain';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { JSON_MEDIA_TYPES } from './json-body';
import { dropUnreadBody } from './unread-body';

/**
 * Refuses a request body of a type the operation does not read (415), instead of treating it as an
 * empty body and answering with misleading validation errors. What an operation reads is what its
 * OpenAPI document says (`@ApiConsumes`), JSON by default: one source of truth.
 */
@Injectable()
export class ContentTypeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    if (!hasBody(request)) return next.handle();
    const consumes =
      this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? JSON_MEDIA_TYPES;
    if (request.is(consumes)) return next.handle();

    dropUnreadBody(request, context.switchToHttp().getResponse<Response>());
    const expected = consumes.filter((type) => !type.includes('*')).join(' or ');
    const received = request.headers['content-type'];
    throw new DomainException(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `This operation reads ${expected} bodies; the request sent ${received ? `"${received}"` : 'no Content-Type'}.`,
      [{ field: 'Content-Type', rule: 'mediaType', message: `must be ${expected}` }],
    );
  }
}

/** Whether the request carries a body (RFC 9110: a Content-Length above 0 or a Transfer-Encoding). */
function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

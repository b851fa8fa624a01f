import { ApiKeyService, DomainException, ErrorCode } from '@conduit/domain';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AuthenticatedRequest } from './principal.decorator';
import { IS_PUBLIC } from './public.decorator';

/** Global guard: every route needs `Authorization: Bearer <api key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (!header) {
      throw unauthenticated('This endpoint needs an API key: send `Authorization: Bearer <api key>`.');
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw unauthenticated('The Authorization header must have the form `Bearer <api key>`.');
    }
    const principal = await this.apiKeys.authenticate(match[1]);
    if (!principal) {
      throw unauthenticated(
        'The API key is invalid or has been revoked; create a new key or ask an administrator.',
      );
    }
    request.principal = principal;
    return true;
  }
}

function unauthenticated(message: string): DomainException {
  return new DomainException(ErrorCode.UNAUTHENTICATED, message);
}

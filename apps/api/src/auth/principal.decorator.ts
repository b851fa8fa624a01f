import type { Principal } from '@conduit/domain';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** The calling company and key, set by ApiKeyGuard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) {
    // Only reachable if a route is marked @Public() and still asks for a principal: a programming error.
    throw new Error('No authenticated principal on this request');
  }
  return principal;
});

import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC = 'conduit:isPublic';

/** The OpenAPI extension @Public() leaves on an operation, turned into `security: []` by the document. */
export const PUBLIC_OPERATION = 'x-conduit-public';

/**
 * Marks a route that needs no API key (health, the OAuth callback): the guard lets it through and the
 * OpenAPI document says so (`security: []`), from this one declaration.
 */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_OPERATION, true));

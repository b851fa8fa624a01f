import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'conduit:isPublic';

/** Marks a route that needs no API key (health, docs, the OAuth callback). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

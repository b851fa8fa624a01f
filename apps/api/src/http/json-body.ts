import type { NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { refuseHostileInput } from './hostile-input';

/** Largest JSON body read, after decompression: far above any operation's needs (413 beyond). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** The media types read as JSON: the same list the content-type check accepts. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/**
 * Options every creator of the HTTP app passes (main.ts, the e2e harness): Nest's own parsers are off,
 * so that `useJsonBody` installs the only body parser. Nest's default would also parse urlencoded
 * forms, which no operation reads, with limits of its own.
 */
export const HTTP_APP_OPTIONS = { bodyParser: false } as const satisfies NestApplicationOptions;

/**
 * JSON bodies up to `JSON_BODY_LIMIT_BYTES` (gzip, deflate and br bodies are inflated first and the
 * limit applies to what they inflate to), then the hostile-input check on every request. Multipart
 * uploads are not read here: their handler streams them.
 */
export function useJsonBody(app: NestExpressApplication): void {
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT_BYTES, type: JSON_MEDIA_TYPES, strict: true });
  app.use(refuseHostileInput);
}

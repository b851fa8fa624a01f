import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Parses a decimal integer variable; anything else stays as-is so the validator reports it. */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value,
  );

/** A TCP port number. */
export const IsPort = (): PropertyDecorator => (target, key) => {
  ToInt()(target, key);
  IsInt({ message: 'must be an integer port number' })(target, key);
  Min(1)(target, key);
  Max(65535)(target, key);
};

/** An optional PostgreSQL connection URL (postgres:// or postgresql://). */
export const IsOptionalPostgresUrl = (): PropertyDecorator => (target, key) => {
  IsOptional()(target, key);
  IsString()(target, key);
  Matches(/^postgres(ql)?:\/\/\S+$/, {
    message:
      'must be a PostgreSQL URL such as postgres://user@host:5432/conduit; leave it unset for the embedded SQLite database',
  })(target, key);
};

/** A pino log level. */
export const IsLogLevel = (): PropertyDecorator => (target, key) => {
  IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })(target, key);
};

/**
 * Credential-encryption keys: `id:base64key` entries (32-byte keys), comma-separated, first one current.
 * The message says what is wrong without echoing a key.
 */
export const IsEncryptionKeys = (): PropertyDecorator => (target, key) => {
  IsString()(target, key);
  Matches(
    /^\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?\s*(,\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?\s*)*$/,
    {
      message:
        'must be comma-separated key entries "id:<base64 of 32 bytes>", the current key first (generate one with `npm run conduit -- keys:generate`)',
    },
  )(target, key);
};

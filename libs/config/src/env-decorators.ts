import { isIP } from 'node:net';
import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

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
 * Credential-encryption keys: comma-separated `id:base64key` entries (32-byte keys), the first one
 * current. An absent value passes, so the schema decides when it is required (`@IsDefined`); a present
 * one is checked entry by entry and the message names each problem without echoing a key.
 */
export const IsEncryptionKeys = (): PropertyDecorator => (target, key) => {
  registerDecorator({
    name: 'isEncryptionKeys',
    target: target.constructor,
    propertyName: String(key),
    validator: {
      validate: (value: unknown) => value === undefined || encryptionKeysProblems(value).length === 0,
      defaultMessage: ({ value }: ValidationArguments) =>
        `must be comma-separated key entries "id:<base64 of 32 bytes>", the current key first ` +
        `(${encryptionKeysProblems(value).join('; ')}); generate one with \`npm run conduit -- keys:generate\``,
    },
  });
};

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/; // standard or url-safe
const KEY_BYTES = 32;

/**
 * The rules of the domain's `parseEncryptionKeys`, restated because a util library must not import
 * the domain: ids 1-32 of `[A-Za-z0-9_-]` and unique, keys base64 of exactly 32 bytes.
 */
function encryptionKeysProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['not a string'];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) return ['no entry given'];
  const seen = new Set<string>();
  return entries.flatMap((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, Math.max(separator, 0));
    // Without a valid id the entry may be a bare key, so it is named by position only.
    if (!KEY_ID.test(id)) {
      return [`entry ${index + 1}: must start with a key id (1-32 letters, digits, - or _) and a colon`];
    }
    const label = `entry ${index + 1} ("${id}")`;
    if (seen.has(id)) return [`${label}: the key id is used twice`];
    seen.add(id);
    const encoded = entry.slice(separator + 1);
    const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64').length : 0;
    return bytes === KEY_BYTES
      ? []
      : [`${label}: the key must be ${KEY_BYTES} bytes of base64, got ${bytes} bytes`];
  });
}

/**
 * A comma-separated list of host names, IP addresses and CIDR ranges (e.g. `db.internal,10.0.0.0/8`);
 * the message names each entry that is none of them. The domain's `DataSourceHostPolicy` reads the
 * same forms; this restates them because a util library must not import the domain.
 */
export const IsHostList = (): PropertyDecorator => (target, key) => {
  registerDecorator({
    name: 'isHostList',
    target: target.constructor,
    propertyName: String(key),
    validator: {
      validate: (value: unknown) => typeof value === 'string' && hostListProblems(value).length === 0,
      defaultMessage: ({ value }: ValidationArguments) =>
        `must be comma-separated host names, IP addresses or CIDR ranges (${hostListProblems(value).join('; ')})`,
    },
  });
};

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function hostListProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['not a string'];
  return splitList(value).flatMap((entry) => {
    const [address, bits, extra] = entry.split('/');
    const version = isIP(address);
    if (bits === undefined) return version > 0 || HOST_NAME.test(entry) ? [] : [`"${entry}" is not a host`];
    const max = version === 4 ? 32 : 128;
    const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
    return version > 0 && extra === undefined && prefix >= 0 && prefix <= max
      ? []
      : [`"${entry}" is not a CIDR range`];
  });
}

/** A comma-separated variable's entries, trimmed, empty ones dropped. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

import { getMetadataStorage, IsDefined, IsInt, Max, Min, ValidateIf } from 'class-validator';
import { BaseEnv } from './base.env';
import { IsEncryptionKeys, ToInt } from './env-decorators';
import type { EnvClass } from './providers/env-section';
import { MetaEnv } from './providers/meta.env';
import { TikTokEnv } from './providers/tiktok.env';

/**
 * Each provider's own variables, one section per provider (`providers/<id>.env.ts`), applied in turn
 * to the base: adding a provider wraps its section around this expression.
 */
const ProviderSections = MetaEnv(TikTokEnv(BaseEnv));

/**
 * Destination providers' deployment settings, read by every process that talks to a provider (the API
 * for OAuth, the scheduler for health checks and exports): each provider's section, the credential
 * keys and the retry policy. A provider whose app is not configured is listed as unavailable, with the
 * variables to set.
 */
export class ProvidersEnv extends ProviderSections {
  /**
   * Keys that encrypt provider credentials at rest: `id:base64key` entries (32-byte keys), comma-
   * separated, the first one current, the others only decrypt (rotation). Required with DATABASE_URL;
   * on the embedded default one is generated into CONDUIT_DATA_DIR on first start.
   */
  @ValidateIf(
    (env: ProvidersEnv) => env.DATABASE_URL !== undefined || env.CONDUIT_ENCRYPTION_KEYS !== undefined,
  )
  @IsDefined({
    message:
      'is required when DATABASE_URL is set (every process needs the same keys); generate one with `npm run conduit -- keys:generate`',
  })
  @IsEncryptionKeys()
  CONDUIT_ENCRYPTION_KEYS?: string;

  /**
   * A provider call that fails for a passing reason (5xx, throttling, a dropped connection) is tried
   * this many times in all, waiting from PROVIDER_RETRY_BASE_DELAY_MS, doubled each time with jitter,
   * up to PROVIDER_RETRY_MAX_DELAY_MS; then the export fails with the last error (and may be retried).
   */
  @ToInt()
  @IsInt({ message: 'must be a whole number of attempts' })
  @Min(1)
  @Max(20)
  PROVIDER_RETRY_ATTEMPTS = 5;

  @ToInt()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  @Max(60_000)
  PROVIDER_RETRY_BASE_DELAY_MS = 1000;

  @ToInt()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(1)
  @Max(600_000)
  PROVIDER_RETRY_MAX_DELAY_MS = 60_000;
}

/**
 * What the providers' catalog reads: every provider's section and the retry policy (not the
 * credential keys, nor where the data lives).
 */
export type ProviderVariables = Omit<ProvidersEnv, keyof BaseEnv | 'CONDUIT_ENCRYPTION_KEYS'>;

/** The names of the variables a schema validates (every variable is validated, so: all of them). */
function validatedVariables(schema: EnvClass): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

const NOT_PROVIDER_VARIABLES = new Set([...validatedVariables(BaseEnv), 'CONDUIT_ENCRYPTION_KEYS']);
/** Known from the schema, so a new provider section is handed over without naming its variables here. */
const PROVIDER_VARIABLES = validatedVariables(ProvidersEnv).filter(
  (name) => !NOT_PROVIDER_VARIABLES.has(name),
) as (keyof ProviderVariables)[];

/**
 * The provider variables of an app's validated environment, read through its configuration (e.g.
 * `providersEnvFrom((key) => config.get(key, { infer: true }))` with Nest's ConfigService), so an app
 * hands every provider's settings to the catalog without naming one.
 */
export function providersEnvFrom(read: (variable: keyof ProviderVariables) => unknown): ProviderVariables {
  return Object.fromEntries(PROVIDER_VARIABLES.map((name) => [name, read(name)])) as ProviderVariables;
}

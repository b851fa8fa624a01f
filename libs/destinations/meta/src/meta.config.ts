import {
  InvalidCredentialsError,
  PayloadValidationError,
  type ConfigValues,
  type ExportRequest,
  type ProviderCredentials,
} from '@conduit/destinations-core';
import { CUSTOMER_FILE_SOURCES, type CustomerFileSource } from '@conduit/destinations-meta-wire';
import type { MetaAction } from './meta.fields';

/** A Meta destination's config, resolved and typed. */
export interface MetaConfig {
  /** `act_<digits>`. */
  adAccountId: string;
  audienceName: string;
  description?: string;
  action: MetaAction;
  customerFileSource: CustomerFileSource;
}

/** The resolved config, typed. The domain validated it against META_FIELDS; this guards the contract. */
export function readConfig(config: ConfigValues): MetaConfig {
  const { adAccountId, audienceName, description, action, customerFileSource } = config;
  if (
    typeof adAccountId !== 'string' ||
    !/^act_\d+$/.test(adAccountId) ||
    typeof audienceName !== 'string' ||
    (action !== 'Create' && action !== 'Append' && action !== 'Replace')
  )
    throw new PayloadValidationError(
      'The Meta destination needs adAccountId (act_<digits>), audienceName and action (Create, Append or Replace).',
      { field: 'config' },
    );
  const source = customerFileSource ?? 'USER_PROVIDED_ONLY';
  if (!(CUSTOMER_FILE_SOURCES as readonly unknown[]).includes(source))
    throw new PayloadValidationError(
      `customerFileSource must be one of ${CUSTOMER_FILE_SOURCES.join(', ')}.`,
      {
        field: 'config.customerFileSource',
      },
    );
  return {
    adAccountId,
    audienceName,
    action,
    customerFileSource: source as CustomerFileSource,
    ...(typeof description === 'string' && description !== '' ? { description } : {}),
  };
}

/** At least one key; mobile advertiser ids raw: Meta matches them unhashed, and a digest cannot be undone. */
export function checkMapping(request: ExportRequest): void {
  if (request.mapping.length === 0)
    throw new PayloadValidationError(
      'Map at least one segment column to an activation key (EMAIL, PHONE or MAID).',
      { field: 'mapping' },
    );
  const hashedMaid = request.mapping.find((entry) => entry.keyType === 'MAID' && entry.encoding !== 'RAW');
  if (hashedMaid)
    throw new PayloadValidationError(
      `Column "${hashedMaid.column}" is mapped as a SHA-256 mobile advertiser id, but Meta matches mobile advertiser ids unhashed ` +
        '(a hashed one matches nobody). Map a column holding the ids themselves, as RAW.',
      { field: `mapping.${hashedMaid.column}` },
    );
}

/** The authorization's user token. */
export function accessTokenOf(credentials: ProviderCredentials): string {
  const accessToken = credentials['accessToken'];
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new InvalidCredentialsError(
      'The authorization holds no Meta access token; reconnect the Meta Ads authorization.',
    );
  return accessToken;
}

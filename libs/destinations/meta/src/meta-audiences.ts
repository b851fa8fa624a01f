import {
  PayloadValidationError,
  ProviderLimitError,
  type ExportReporter,
  type ExportRequest,
  type ProviderReference,
} from '@conduit/destinations-core';
import { GraphCode, GraphSubcode } from '@conduit/destinations-meta-wire';
import type { MetaClient } from './meta.client';
import type { MetaConfig } from './meta.config';
import { isGraphError, termsNotAccepted } from './meta.errors';
import type { MetaExportState } from './meta-export-state';

export const META_AUDIENCE_REFERENCE = 'META_AUDIENCE';
/** Clock skew tolerated when adopting an audience created by a run whose answer was lost. */
const ADOPTION_SKEW_MS = 5 * 60 * 1000;

/** A Meta call under the provider's retry policy (retries logged to the export). */
export type MetaCall = <T>(operation: (attempt: number) => Promise<T>) => Promise<T>;

/**
 * The audience side of an export: the ad account's terms, the 500-audience limit, and which audience
 * the rows go to (made by a Create, adopted after a lost answer, found for Append and Replace).
 */
export class MetaAudiences {
  constructor(
    private readonly client: MetaClient,
    private readonly call: MetaCall,
    private readonly audiencesPerAccount: number,
  ) {}

  /**
   * The audience the export sends to. Create makes it: the moment it starts is checkpointed before the
   * call, so a run that dies before its first batch is recorded (the id is saved with it), or a create
   * whose answer was lost, adopts the audience made since then instead of making a second. Append
   * and Replace find the one the last Create recorded, else the newest by name.
   */
  async resolve(
    request: ExportRequest,
    config: MetaConfig,
    accessToken: string,
    state: MetaExportState,
    save: () => Promise<void>,
    reporter: ExportReporter,
  ): Promise<string> {
    if (config.action !== 'Create') {
      const audienceId = await this.findTarget(accessToken, config, request.previousReferences ?? []);
      state.audienceId = audienceId;
      await save();
      return audienceId;
    }
    const adopted = state.createStartedAt
      ? await this.findByName(accessToken, config, Date.parse(state.createStartedAt) - ADOPTION_SKEW_MS)
      : undefined;
    if (adopted) return adopted;
    await this.ensureCapacity(accessToken, config.adAccountId);
    const startedAt = Date.now();
    state.createStartedAt = new Date(startedAt).toISOString();
    await save();
    const audienceId = await this.call(async (attempt) => {
      // A failed attempt may have created the audience all the same (its answer lost on the way back).
      const created =
        attempt > 1 ? await this.findByName(accessToken, config, startedAt - ADOPTION_SKEW_MS) : undefined;
      if (created) return created;
      return this.client.createAudience(accessToken, {
        adAccountId: config.adAccountId,
        name: config.audienceName,
        description: config.description,
        customerFileSource: config.customerFileSource,
      });
    });
    reporter.milestone?.({
      type: 'AUDIENCE_CREATED',
      message: `Created Meta audience "${config.audienceName}" (${audienceId}) in ad account ${config.adAccountId}`,
      data: { audienceId, name: config.audienceName, adAccountId: config.adAccountId },
    });
    return audienceId;
  }

  /** Meta refuses to create or change customer-list audiences until the account's terms are accepted. */
  async ensureTermsAccepted(accessToken: string, adAccountId: string): Promise<void> {
    const accepted = await this.call(() => this.client.customAudienceTermsAccepted(accessToken, adAccountId));
    if (!accepted) throw termsNotAccepted(adAccountId);
  }

  /** Before Create: Meta allows 500 customer-list audiences per ad account. */
  async ensureCapacity(accessToken: string, adAccountId: string): Promise<void> {
    const audiences = await this.call(() => this.client.listAudiences(accessToken, adAccountId));
    if (audiences.length >= this.audiencesPerAccount)
      throw new ProviderLimitError(
        `Meta ad account ${adAccountId} already has ${audiences.length} custom audiences, the most Meta allows (${this.audiencesPerAccount}). ` +
          'Delete unused audiences in Meta Ads Manager, or use Append / Replace on an existing audience instead of Create.',
        'audiencesPerAccount',
      );
  }

  private async findTarget(
    accessToken: string,
    config: MetaConfig,
    previous: readonly ProviderReference[],
  ): Promise<string> {
    const recorded = [...previous].reverse().find((reference) => reference.kind === META_AUDIENCE_REFERENCE);
    if (recorded) {
      const exists = await this.call(() => this.client.getAudience(accessToken, recorded.id)).then(
        () => true,
        (error: unknown) => {
          // Deleted in Meta since (100/33): fall back to the name.
          if (isGraphError(error, GraphCode.INVALID_PARAMETER, GraphSubcode.OBJECT_NOT_FOUND)) return false;
          throw error;
        },
      );
      if (exists) return recorded.id;
    }
    const byName = await this.findByName(accessToken, config);
    if (!byName)
      throw new PayloadValidationError(
        `No Meta audience named "${config.audienceName}" exists in ad account ${config.adAccountId}, so there is nothing to ${config.action.toLowerCase()}. ` +
          'Run a Create export first, or check the Audience name.',
        { field: 'config.audienceName' },
      );
    return byName;
  }

  /** The newest audience with the config's name (created since `createdSinceMs`, when given). */
  private async findByName(
    accessToken: string,
    config: MetaConfig,
    createdSinceMs?: number,
  ): Promise<string | undefined> {
    const audiences = await this.call(() => this.client.listAudiences(accessToken, config.adAccountId));
    let best: { id: string; created: number } | undefined;
    for (const audience of audiences) {
      if (audience.name !== config.audienceName) continue;
      const created = (audience.timeCreated ?? 0) * 1000;
      if (createdSinceMs !== undefined && created < Math.floor(createdSinceMs / 1000) * 1000) continue;
      if (
        !best ||
        created > best.created ||
        (created === best.created && BigInt(audience.id) > BigInt(best.id))
      )
        best = { id: audience.id, created };
    }
    return best?.id;
  }
}

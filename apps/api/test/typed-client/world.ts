/** What the typed-client spec hands the walkthrough: where the API is, who calls it, what plays the browser. */
export interface World {
  /** Where the API listens, e.g. http://127.0.0.1:40123. */
  baseUrl: string;
  /** fetch that checks every answer against the contract. */
  fetch: typeof fetch;
  owner: { apiKey: string };
  partner: { apiKey: string; companyId: string };
  /** An advertiser the emulator grants. */
  advertiserId: string;
  /** Plays the account owner's consent in the browser; answers the callback URL TikTok redirects to. */
  consent(authorizeUrl: string): Promise<string>;
  /** Runs what the scheduler would: queued jobs, then the follow-up of TikTok's processing. */
  settle(): Promise<void>;
  /** A SQLite file in the owner's data-source folder, with a `customers` table (the demo CRM's shape). */
  crmFile: string;
}

/** What the walkthrough saw, for the spec to compare (declared here: the spec cannot import the walkthrough's types). */
export interface WalkthroughResult {
  authorizationStatus: string;
  csvSegment: { status: string; rowCount: number | null | undefined };
  sqlSegment: {
    status: string;
    rowCount: number | null | undefined;
    /** Per key column: values valid, and invalid by reason (what an export would reject). */
    keyQuality: Record<string, { valid: number; invalid: number }>;
  };
  resolvedByPartner: Record<string, unknown>;
  export: { status: string; uploaded: number | undefined };
}

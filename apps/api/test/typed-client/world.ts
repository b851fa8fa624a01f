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

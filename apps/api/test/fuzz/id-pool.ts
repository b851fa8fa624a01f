/** Id prefixes (README, "API at a glance") and the path parameter or body field each belongs to. */
const PREFIXES: Record<string, string> = {
  cmp: 'companyId',
  key: 'apiKeyId',
  clb: 'collaborationId',
  aut: 'authorizationId',
  dst: 'destinationId',
  shr: 'shareId',
  seg: 'segmentId',
  dsr: 'dataSourceId',
};

/**
 * The real ids the fuzzer's company can name, by the parameter that takes them (`destinationId`).
 * It grows with what the fuzzer creates, so deletions do not starve later requests of real ids.
 */
export class IdPool {
  private readonly ids = new Map<string, string[]>();

  /** Never handed out: ids whose loss would end the run (the fuzzer's own API key). */
  constructor(private readonly protectedIds: ReadonlySet<string> = new Set()) {}

  add(name: string, id: string): void {
    if (this.protectedIds.has(id)) return;
    const known = this.ids.get(name) ?? [];
    if (!known.includes(id)) this.ids.set(name, [...known, id]);
  }

  /** Files an id answered in a response under the parameter its prefix names. */
  learn(id: unknown): void {
    if (typeof id !== 'string') return;
    const name = PREFIXES[id.split('_')[0] ?? ''];
    if (name) this.add(name, id);
  }

  /**
   * The `index`-th id for a parameter or field name: `destinationId`, or one ending like a known
   * name (`granteeCompanyId`, `memberCompanyIds`); undefined when none is known.
   */
  pick(name: string, index: number): string | undefined {
    const singular = name.replace(/Ids$/, 'Id').toLowerCase();
    const key = [...this.ids.keys()].find((known) => singular.endsWith(known.toLowerCase()));
    const known = key ? this.ids.get(key) : undefined;
    return known && known.length > 0 ? known[index % known.length] : undefined;
  }
}

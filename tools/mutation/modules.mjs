// The modules `npm run test:mutation` mutates: the code that guards tenants and their data, each with
// the specs that must catch a broken rule. A module passes at a mutation score of 85 % or more.
//
// `equivalent` lists surviving mutants that no test can kill because they do not change behaviour,
// each with the reason; they leave the score's denominator. Every other survivor is a missing test.
// An entry is matched by file, line, mutator and replacement, so an edited line reappears as a survivor.

export const THRESHOLD = 85;

export const MODULES = {
  'identifier-normalization': {
    what: 'EMAIL / PHONE / MAID normalization and validation before hashing',
    mutate: [
      'libs/destinations/core/src/identifiers/email.ts',
      'libs/destinations/core/src/identifiers/phone.ts',
      'libs/destinations/core/src/identifiers/maid.ts',
      'libs/destinations/core/src/identifiers/normalize-identifier.ts',
      'libs/destinations/core/src/identifiers/sha256-hex.ts',
      // The export's path: cells read from NDJSON lines, normalized and hashed into status bytes.
      'libs/destinations/core/src/identifiers/hash-rows.ts',
      'libs/destinations/core/src/identifiers/hash-identifiers.ts',
    ],
    specs: ['libs/destinations/core/src/identifiers/*.spec.ts'],
    equivalent: [
      // Each pattern has a fixed length and is only tried on a value of that length (the length test
      // is a cheap filter before the regex), so the anchors and the length test each imply the other.
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 4,
        mutator: 'Regex',
        replacement: '/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/',
        why: 'only tried at length 36, the pattern is 36 long',
      },
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 4,
        mutator: 'Regex',
        replacement: '/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/',
        why: 'same as above',
      },
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 5,
        mutator: 'Regex',
        replacement: '/[0-9a-f]{32}$/',
        why: 'only tried at length 32, the pattern is 32 long',
      },
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 5,
        mutator: 'Regex',
        replacement: '/^[0-9a-f]{32}/',
        why: 'same as above',
      },
      {
        file: 'libs/destinations/core/src/identifiers/normalize-identifier.ts',
        line: 14,
        mutator: 'Regex',
        replacement: '/[0-9a-fA-F]{64}$/',
        why: 'only tried at length 64, the pattern is 64 long',
      },
      {
        file: 'libs/destinations/core/src/identifiers/normalize-identifier.ts',
        line: 14,
        mutator: 'Regex',
        replacement: '/^[0-9a-fA-F]{64}/',
        why: 'same as above',
      },
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 17,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'the anchored HEX32 matches 32 characters only',
      },
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 19,
        mutator: 'ConditionalExpression',
        replacement: 'false',
        why: 'the anchored UUID matches 36 characters only',
      },
      {
        file: 'libs/destinations/core/src/identifiers/normalize-identifier.ts',
        line: 57,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'the anchored SHA256_HEX matches 64 characters only',
      },
      // Re-dashing 32 characters gives a valid UUID only when all 32 are hex: what HEX32 asks.
      {
        file: 'libs/destinations/core/src/identifiers/maid.ts',
        line: 17,
        mutator: 'LogicalOperator',
        why: 'any other 32 characters still fail the UUID test',
      },
      // REJECTION_REASONS[-1] is undefined: status 0 answers undefined with or without the test.
      {
        file: 'libs/destinations/core/src/identifiers/hash-identifiers.ts',
        line: 44,
        mutator: 'ConditionalExpression',
        why: 'REJECTION_REASONS[0 - 1] is undefined',
      },
      // One turn more at start === length reads an empty line, which forEachLine skips.
      {
        file: 'libs/destinations/core/src/identifiers/hash-rows.ts',
        line: 76,
        mutator: 'EqualityOperator',
        why: 'a last turn over nothing',
      },
      // text[end] is the line's newline (or past the text): a key never starts there, and a value's
      // scan meets no quote or backslash there; a key found past the line is refused by the next test.
      {
        file: 'libs/destinations/core/src/identifiers/hash-rows.ts',
        line: 119,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'a key found past the line is answered as absent by the test after the loop',
      },
      {
        file: 'libs/destinations/core/src/identifiers/hash-rows.ts',
        line: 119,
        mutator: 'EqualityOperator',
        why: 'no key starts at the newline',
      },
      {
        file: 'libs/destinations/core/src/identifiers/hash-rows.ts',
        line: 125,
        mutator: 'EqualityOperator',
        why: 'no key starts at the newline',
      },
      {
        file: 'libs/destinations/core/src/identifiers/hash-rows.ts',
        line: 129,
        mutator: 'EqualityOperator',
        why: 'the newline is neither a quote nor a backslash: the scan ends with PARSE either way',
      },
    ],
  },
  'credential-cipher': {
    what: 'AES-256-GCM credentials bound to their row, key rotation',
    mutate: ['libs/domain/src/crypto/credential-cipher.ts'],
    // Binding each row's credentials to its id (the cipher's caller) is proven by authorizations.e2e.
    specs: ['libs/domain/src/crypto/credential-cipher.spec.ts'],
    equivalent: [
      // Node reads an empty encoding name as its default, UTF-8.
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 85,
        mutator: 'StringLiteral',
        why: "Buffer.from(s, '') is UTF-8",
      },
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 86,
        mutator: 'StringLiteral',
        why: "update(s, '') is UTF-8",
      },
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 95,
        mutator: 'StringLiteral',
        why: "Buffer.from(s, '') is UTF-8",
      },
      // String.prototype.toString ignores its argument: the string parts print the same either way.
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 88,
        mutator: 'ConditionalExpression',
        why: "'v1'.toString('base64url') is 'v1'",
      },
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 88,
        mutator: 'StringLiteral',
        why: 'same as above',
      },
      // A non-string is refused by the length check that follows, whatever the fallback array holds.
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 131,
        mutator: 'ArrayDeclaration',
        why: 'a one-element array fails the 5-part check too',
      },
      // When the key file cannot be created for another reason, reading it fails with the same error.
      {
        file: 'libs/domain/src/crypto/credential-cipher.ts',
        line: 165,
        mutator: 'ConditionalExpression',
        why: 'readFileSync throws the same error code next',
      },
    ],
  },
  'oauth-state': {
    what: 'signed, company-bound, single-use, short-lived OAuth state',
    mutate: ['libs/domain/src/authorizations/oauth-state.ts'],
    specs: ['libs/domain/src/authorizations/oauth-state.spec.ts'],
    equivalent: [
      {
        file: 'libs/domain/src/authorizations/oauth-state.ts',
        line: 72,
        mutator: 'ArrayDeclaration',
        why: 'a one-element array fails the 2-part check too',
      },
      {
        file: 'libs/domain/src/authorizations/oauth-state.ts',
        line: 108,
        mutator: 'BlockStatement',
        why: 'an empty catch falls through to return undefined',
      },
    ],
  },
  'data-source-guards': {
    what: 'which files and hosts a data source may reach, the read-only query check',
    // The guards, not the row streaming: file resolution, host policy, URL parsing, role refusal.
    mutate: [
      'libs/domain/src/segments/host-policy.ts',
      'libs/domain/src/segments/sql-source.ts',
      'libs/domain/src/segments/sqlite-source.ts:17-75',
      'libs/domain/src/segments/postgres-source.ts:36-152',
    ],
    specs: [
      'libs/domain/src/segments/host-policy.spec.ts',
      'libs/domain/src/segments/sql-source.spec.ts',
      'libs/domain/src/segments/sqlite-source.int-spec.ts',
      'libs/domain/src/segments/postgres-source.int-spec.ts',
    ],
    // The superuser refusal is checked against a real server: this machine's PostgreSQL.
    env: { DATABASE_URL: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres' },
    equivalent: [
      {
        file: 'libs/domain/src/segments/sqlite-source.ts',
        line: 59,
        mutator: 'BlockStatement',
        why: 'an empty catch returns undefined, which the caller reads as false (no platform database)',
      },
    ],
  },
  'collaboration-membership': {
    what: 'who is a member of a collaboration, and what a member may do',
    mutate: ['libs/domain/src/collaborations/collaboration.service.ts'],
    specs: [
      'apps/api/test/collaborations.e2e-spec.ts',
      'apps/api/test/tenancy.e2e-spec.ts',
      'apps/api/test/destinations.e2e-spec.ts',
    ],
    equivalent: [
      // The membership filter joins a to-many relation, so MikroORM pages through a sub-query
      // (`GROUP BY id LIMIT n`) and reads the rows back by primary key: SQLite and PostgreSQL both
      // return them in id order even for a row inserted after one with a greater id (the list spec
      // has one). The orderBy states the contract; no engine we run shows it missing.
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 41,
        mutator: 'ObjectLiteral',
        replacement: '{}',
        why: 'paginated sub-query already yields id order on both databases',
      },
      // The find filters on `members` without populating them, so the collection is not loaded and
      // populate reads every member either way; refresh only guards a partly loaded collection,
      // which nothing in the list request holds.
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 48,
        mutator: 'ObjectLiteral',
        replacement: '{}',
        why: 'members are not loaded before populate, so refresh changes nothing',
      },
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 48,
        mutator: 'BooleanLiteral',
        replacement: 'false',
        why: 'same as above',
      },
      // Callers of membership() only reference the collaboration (a segment's or a share's
      // collaboration, its id), which the unloaded reference carries.
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 70,
        mutator: 'ObjectLiteral',
        replacement: '{}',
        why: 'no caller reads more of the collaboration than its id',
      },
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 70,
        mutator: 'ArrayDeclaration',
        replacement: '[]',
        why: 'same as above',
      },
      // findCompanies: the early return only saves a query (with no ids, `$in: []` finds nothing and
      // nothing is missing); the `$in` filter only narrows what is loaded, since the companies are
      // then matched by id.
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 140,
        mutator: 'BlockStatement',
        replacement: '{}',
        why: 'with no ids the query returns [] as well',
      },
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 140,
        mutator: 'ConditionalExpression',
        replacement: 'false',
        why: 'same as above: skipping the early return leaves `$in: []`, which finds nothing',
      },
      {
        file: 'libs/domain/src/collaborations/collaboration.service.ts',
        line: 143,
        mutator: 'ObjectLiteral',
        replacement: '{}',
        why: 'loading every company and matching by id gives the same companies',
      },
    ],
  },
  'field-editability-and-sharing': {
    what: 'locked and editable fields, overrides at export time, shares and grantee access',
    mutate: [
      'libs/destinations/core/src/schema/field-schema.ts',
      'libs/domain/src/destinations/destination.service.ts',
    ],
    specs: [
      'libs/destinations/core/src/schema/field-schema.spec.ts',
      'apps/api/test/destinations.e2e-spec.ts',
      'apps/api/test/destination-rules.e2e-spec.ts',
      'apps/api/test/tenancy.e2e-spec.ts',
      // Every list of destinations, shares and history, paged to the end.
      'apps/api/test/pagination.e2e-spec.ts',
      // The owner's export audit is the one caller of requireOwner.
      'apps/api/test/exports.e2e-spec.ts',
    ],
    equivalent: [
      // repeatConfig: without a value, onRepeat is looked up under "undefined", a key no field declares.
      {
        file: 'libs/destinations/core/src/schema/field-schema.ts',
        line: 105,
        mutator: 'ConditionalExpression',
        replacement: 'false',
        why: 'onRepeat["undefined"] is undefined for every field',
      },
      // A bound that is not set compares false either way: `n < undefined` and `n > undefined` are false.
      ...[126, 127, 139, 141].map((line) => ({
        file: 'libs/destinations/core/src/schema/field-schema.ts',
        line,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'a comparison with an unset (undefined) bound is false, as the guard makes it',
      })),
      // The HTTP DTO trims the name (@trim) before the service sees it; the service trims for any other caller.
      {
        file: 'libs/domain/src/destinations/destination.service.ts',
        line: 88,
        mutator: 'MethodExpression',
        why: 'names reach the service trimmed by the DTO',
      },
      // A string in MikroORM's $or is read as a primary key: `id = "Stryker was here"` matches no row.
      {
        file: 'libs/domain/src/destinations/destination.service.ts',
        line: 123,
        mutator: 'ArrayDeclaration',
        why: 'the extra $or branch is a primary-key lookup no destination matches',
      },
      // list, listShares, history: without the orderBy (or without the options, hence without the
      // limit) both databases return these rows in primary-key (ULID, creation) order, and toPage cuts
      // the page and its cursor from them the same way. The orderBy states the contract (as in
      // collaboration-membership, line 41).
      ...[128, 278, 319].flatMap((line) =>
        [0, 1].map(() => ({
          file: 'libs/domain/src/destinations/destination.service.ts',
          line,
          mutator: 'ObjectLiteral',
          replacement: '{}',
          why: 'rows come back in id order, and the page is cut from them alike',
        })),
      ),
      // Overrides name editable fields only (refused before this line otherwise), and every editable
      // field is one the provider declares: the label is always found.
      {
        file: 'libs/domain/src/destinations/destination.service.ts',
        line: 361,
        mutator: 'OptionalChaining',
        why: 'the key is always a known field here',
      },
      // Schema problems always name `config.<key>` at the start: anchored or not, the same prefix goes.
      ...[376, 414].map((line) => ({
        file: 'libs/domain/src/destinations/destination.service.ts',
        line,
        mutator: 'Regex',
        why: 'problem fields start with config. and hold no other config.',
      })),
      // checkConnects refuses an authorization of another provider: with TikTok the only provider, no
      // authorization of another one can exist (the Meta provider, issue 15, makes it reachable).
      ...[494, 495, 496, 497, 498, 499, 500].map((line) => ({
        file: 'libs/domain/src/destinations/destination.service.ts',
        line,
        why: 'unreachable while one provider is configured',
      })),
    ],
  },
  'segment-freshness': {
    what: 'the 36-hour READY window, expiry, retention and dead-run recovery',
    // statusOf, runOf, requireExportable, maintain, requestRun, schedule, nextRefreshAfterNow and
    // isRunInProgress.
    mutate: [
      'libs/domain/src/segments/segment.service.ts:148-172',
      'libs/domain/src/segments/segment.service.ts:288-442',
      'libs/domain/src/segments/segment.service.ts:473-508',
    ],
    // The exports spec keeps an export's rows past the segment's retention; the scheduler races spec
    // runs maintenance on two schedulers at once (each claim taken once) and across clock jumps.
    specs: [
      'apps/api/test/segments.e2e-spec.ts',
      'apps/api/test/exports.e2e-spec.ts',
      'apps/scheduler/test/maintenance-races.int-spec.ts',
    ],
    equivalent: [
      // maintain() reads candidates, then claims each with an update conditional on what it read.
      // What the read asks for and how it loads rows (all segments or only the due ones, the ids only
      // or every column, in or out of the identity map) changes no row: the claim's own condition
      // decides, and only the claimed rows are reported.
      ...[
        [331, 'ObjectLiteral'],
        [332, 'ObjectLiteral'],
        [332, 'ArrayDeclaration'],
        [350, 'ObjectLiteral'],
      ].map(([line, mutator]) => ({
        file: 'libs/domain/src/segments/segment.service.ts',
        line,
        mutator,
        why: 'a wider or differently loaded read of candidates: the conditional claim decides',
      })),
      // The candidates were read outside the identity map, so this read goes to the database
      // whether or not it asks for a refresh.
      {
        file: 'libs/domain/src/segments/segment.service.ts',
        line: 380,
        mutator: 'ObjectLiteral',
        why: 'the segment is not in the identity map: read from the database either way',
      },
      {
        file: 'libs/domain/src/segments/segment.service.ts',
        line: 380,
        mutator: 'BooleanLiteral',
        why: 'as above',
      },
      // The race guards of those claims matter only when another process changes the row between the
      // read and the claim: 337 (a refresh committed a fresh expiresAt), 364 (a refresh started), 381
      // (the segment deleted), 411 and 417 (the other scheduler claimed it first: report it once).
      // The scheduler races spec kills them ('a row changed between the tick's read and its claim'):
      // it commits that change inside the window, at the tick's claim.
      {
        file: 'libs/domain/src/segments/segment.service.ts',
        line: 294,
        mutator: 'OptionalChaining',
        why: 'this branch runs only for an EXPIRED status, and nothing makes a segment EXPIRED without an expiresAt: statusOf computes it from a set expiresAt, and maintain stores it only for rows matching expiresAt <= now (the materializer is the one writer of expiresAt, always a date)',
      },
    ],
  },
  'export-checkpoints': {
    what: 'resumable exports: checkpoints in row order, resume without re-uploading or doubling',
    // The shared export path (read, hash ahead, count and dedupe, chunks, bounded sends, checkpoints in
    // row order, resume) and TikTok's side of it: its chunks (customer files), the export, uploads and
    // their checkpoints, applying to the audience, and the helpers that count what was sent.
    mutate: [
      'libs/destinations/core/src/export/chunked-export.ts',
      'libs/destinations/core/src/export/keyed-rows.ts',
      'libs/destinations/tiktok/src/customer-files.ts',
      'libs/destinations/tiktok/src/tiktok.provider.ts:231-519',
      'libs/destinations/tiktok/src/tiktok.provider.ts:687-689',
    ],
    specs: [
      'libs/destinations/core/src/export/chunked-export.spec.ts',
      'libs/destinations/tiktok/src/tiktok.provider.spec.ts',
      'libs/destinations/tiktok/test/tiktok.provider.int-spec.ts',
      'libs/destinations/tiktok/test/tiktok.conformance.int-spec.ts',
    ],
    equivalent: [
      // Lists that are only awaited or settled: a string in them settles at once, and one more entry at
      // the head of `sends` shifts the bound's index by one, awaiting the same send at the same moment.
      ...[129, 131, 214].map((line) => ({
        file: 'libs/destinations/core/src/export/chunked-export.ts',
        line,
        mutator: 'ArrayDeclaration',
        why: 'a string in a list that is only awaited, or a batch of no rows',
      })),
      // Under the bound, sends[length - n] is sends[negative]: undefined, and awaiting it is a no-op.
      {
        file: 'libs/destinations/core/src/export/chunked-export.ts',
        line: 194,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'awaiting sends[negative index] awaits undefined',
      },
      // How many batches are hashed ahead: memory and overlap, not the rows, their order or the chunks.
      {
        file: 'libs/destinations/core/src/export/chunked-export.ts',
        line: 215,
        why: 'a different look-ahead depth: the same rows in the same order',
      },
      // The dedupe table's first size only: smaller, it grows by doubling with the same contents. What
      // that costs (two tables alive while it grows) is memory, which exports-memory.heap-spec weighs.
      {
        file: 'libs/destinations/core/src/export/keyed-rows.ts',
        line: 77,
        mutator: 'ArithmeticOperator',
        why: 'the same set either way; only its memory differs (the heap spec guards it)',
      },
      // Per-row scratch state, emptied before each row is read into it.
      {
        file: 'libs/destinations/core/src/export/keyed-rows.ts',
        line: 80,
        mutator: 'ArrayDeclaration',
        why: 'take() empties every kept list before a row',
      },
      // Past the examples hash-rows keeps (3 per column and reason), countRejected's own cap (3 per
      // key type and reason) is already reached: asking it to keep an example keeps none.
      {
        file: 'libs/destinations/core/src/export/keyed-rows.ts',
        line: 111,
        why: 'the examples of that reason are already full',
      },
      // Taking the larger of two equal line counts assigns the same value.
      {
        file: 'libs/destinations/core/src/export/keyed-rows.ts',
        line: 125,
        mutator: 'EqualityOperator',
        why: 'lines = list.length when they are equal changes nothing',
      },
      // The removals target what exists (a file just written, the work folder made by mkdtempSync):
      // force changes nothing.
      ...[
        ['libs/destinations/tiktok/src/customer-files.ts', 62],
        ['libs/destinations/tiktok/src/tiktok.provider.ts', 328],
      ].flatMap(([file, line]) => [
        { file, line, mutator: 'BooleanLiteral', why: 'what is removed is there' },
        { file, line, mutator: 'ObjectLiteral', why: 'without options force is false, as above' },
      ]),
      // One line's scratch cells, each set before the line is written.
      ...[
        [78, 'ObjectLiteral'],
        [78, 'ArrowFunction'],
        [79, 'ArrayDeclaration'],
        [79, 'UnaryOperator'],
      ].map(([line, mutator]) => ({
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line,
        mutator,
        why: 'scratch state written before it is read',
      })),
      // With one key type each line holds one digest: the MULTIPLE_TYPES measure (lineBytes(1, 1) per
      // line) and writer (appendDigests of one cell) give the single-type bytes and lines.
      {
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line: 47,
        mutator: 'ConditionalExpression',
        replacement: 'true',
        why: 'one type, no header: the MULTIPLE_TYPES measure and writer give the same bytes',
      },
      {
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line: 88,
        mutator: 'ConditionalExpression',
        replacement: 'false',
        why: 'one type: lineBytes(1, 1) per line is SINGLE_LINE_BYTES per line',
      },
      {
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line: 97,
        why: 'one type: the MULTIPLE_TYPES writer writes one digest a line, the same bytes',
      },
      // drain() only makes the writer wait for the disk (memory); a disk error surfaces at close.
      {
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line: 114,
        mutator: 'BlockStatement',
        why: 'backpressure only: the same bytes reach the file',
      },
      // A discarded file's folder is removed right after (the export's finally): only its stream stays
      // open a little longer.
      {
        file: 'libs/destinations/tiktok/src/customer-files.ts',
        line: 122,
        mutator: 'BlockStatement',
        why: 'the folder holding the file is removed right after',
      },
      // findTarget looks for a reference of kind TIKTOK_AUDIENCE_REFERENCE; a string has no kind.
      {
        file: 'libs/destinations/tiktok/src/tiktok.provider.ts',
        line: 406,
        mutator: 'ArrayDeclaration',
        why: 'a string is never a recorded audience reference',
      },
      // At remaining === 0 the pause is 0 ms and the next look finds the deadline passed: the same
      // error, one look later.
      {
        file: 'libs/destinations/tiktok/src/tiktok.provider.ts',
        line: 470,
        mutator: 'EqualityOperator',
        why: 'a zero-length pause, then the same error',
      },
    ],
  },
};

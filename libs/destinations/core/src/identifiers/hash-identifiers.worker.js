// A thread of the identifier hashing pool (identifier-hasher.ts): hashes one batch per call and hands
// the result's buffer back without copying it. Built, the compiled hash-identifiers.js sits beside
// this file; run from the TypeScript sources (tests, benchmarks), the repository's SWC require hook
// compiles it as it loads.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { move } = require('piscina');

if (!existsSync(join(__dirname, 'hash-rows.js'))) {
  require(join(__dirname, '../../../../../tools/swc-register.cjs'));
}
const { hashIdentifiers } = require('./hash-identifiers');
const { hashNdjsonRows } = require('./hash-rows');

// A batch of NDJSON rows (hash-rows.ts), or one column's values (hash-identifiers.ts).
module.exports = (batch) => (batch.ndjson ? hashNdjsonRows(batch) : move(hashIdentifiers(batch)));

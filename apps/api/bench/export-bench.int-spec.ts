import { run } from './export.bench';

// Section 3 of `npm run bench` (the export job end to end) on tiny sizes, so that `npm test` proves it
// still runs (the API and the emulator from dist, a SQL segment of a generated CRM, the export, the
// emulator's count checked against the export's), not how fast. Runs in npm test's second pass, after
// its one build (scripts/test.mjs).

describe('export benchmark, smoke (tiny sizes: it runs, not how fast)', () => {
  it('exports generated CRMs through the job and the emulator, every identifier sent received', async () => {
    const figures = await run([
      { rows: 2_000, columns: 'email' },
      { rows: 1_200, columns: 'email+phone+maid' },
    ]);
    const byName = Object.fromEntries(figures.map((figure) => [figure.name, figure]));
    expect(byName['2 k emails: identifiers/s']?.value).toBeGreaterThan(0);
    expect(byName['2 k emails: identifiers/s']?.detail).toMatch(/sent and received/);
    expect(byName['2 k emails: peak RSS of the exporting process']?.value).toBeGreaterThan(0);
    expect(byName['1.2 k customers × email, phone, MAID: identifiers/s']?.value).toBeGreaterThan(0);
    // The ratio needs section 2's figure for the same emails (npm run bench measures it first).
    expect(byName['ours ÷ peer baseline (section 2)']?.target).toEqual({ op: '>=', value: 5 });
  }, 240_000);
});

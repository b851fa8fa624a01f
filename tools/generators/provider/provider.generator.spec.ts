import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import providerGenerator, { REGISTRATION_FILES } from './provider.generator';

const root = join(__dirname, '..', '..', '..');

/** An empty workspace holding the real files the generator registers providers in. */
function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  for (const path of Object.values(REGISTRATION_FILES))
    tree.write(path, readFileSync(join(root, path), 'utf8'));
  return tree;
}

const text = (tree: Tree, path: string): string => tree.read(path, 'utf-8') ?? '';

describe('provider generator (npx nx g @conduit/tools:provider <id>)', () => {
  let tree: Tree;

  beforeAll(async () => {
    tree = workspace();
    await providerGenerator(tree, { id: 'acme-ads' });
  }, 60_000);

  it('scaffolds the library in the shape every provider keeps, with a spec beside each file', () => {
    const library = 'libs/destinations/acme-ads';
    expect(tree.children(`${library}/src`).sort()).toEqual([
      '__fixtures__',
      'acme-ads.client.spec.ts',
      'acme-ads.client.ts',
      'acme-ads.errors.spec.ts',
      'acme-ads.errors.ts',
      'acme-ads.fields.spec.ts',
      'acme-ads.fields.ts',
      'acme-ads.mapper.spec.ts',
      'acme-ads.mapper.ts',
      'acme-ads.provider.spec.ts',
      'acme-ads.provider.ts',
      'api-version.ts',
      'index.ts',
    ]);
    expect(tree.children(`${library}/src/__fixtures__`)).toEqual(['fake-acme-ads-server.ts']);
    expect(tree.children(`${library}/test`)).toEqual(['acme-ads.conformance.int-spec.ts']);
    expect(readJson(tree, `${library}/package.json`)).toMatchObject({
      name: '@conduit/destinations-acme-ads',
      main: './src/index.ts',
    });
    expect(readJson(tree, `${library}/project.json`)).toMatchObject({
      name: 'destinations-acme-ads',
      tags: ['type:provider'],
    });
    expect(text(tree, `${library}/jest.config.cjs`)).toContain("displayName: 'destinations-acme-ads'");
    const provider = text(tree, `${library}/src/acme-ads.provider.ts`);
    expect(provider).toContain('export class AcmeAdsProvider implements DestinationProvider');
    expect(provider).toContain("export const ACME_ADS_PROVIDER_ID = 'acme-ads';");
    expect(provider).toContain("readonly displayName = 'Acme Ads';");
    expect(text(tree, `${library}/src/acme-ads.errors.ts`)).toContain(
      "Acme Ads: ${operation} is not implemented yet: see README 'Adding a destination provider'",
    );
    expect(text(tree, `${library}/test/acme-ads.conformance.int-spec.ts`)).toContain(
      'describeProviderConformance(',
    );
    // Every template was filled in.
    for (const path of filesUnder(tree, library)) {
      expect(`${path}: ${text(tree, path)}`).not.toMatch(/<%|%>|__id__|\.template/);
    }
  });

  it('registers the package: TypeScript and SWC path aliases, the Jest project, the npm workspace', () => {
    const alias = { '@conduit/destinations-acme-ads': ['libs/destinations/acme-ads/src/index.ts'] };
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toMatchObject(alias);
    expect(readJson(tree, '.swcrc').jsc.paths).toMatchObject(alias);
    const jest = text(tree, 'jest.config.cjs');
    expect(jest).toContain("'<rootDir>/libs/destinations/acme-ads',");
    // One Jest run (`npm test`): the projects list, not a second configuration.
    expect(jest.indexOf("'<rootDir>/libs/destinations/acme-ads'")).toBeLessThan(jest.indexOf('testTimeout'));
    const packages = Object.keys(readJson(tree, 'package-lock.json').packages);
    expect(readJson(tree, 'package-lock.json').packages).toMatchObject({
      'libs/destinations/acme-ads': { name: '@conduit/destinations-acme-ads', version: '0.1.0' },
      'node_modules/@conduit/destinations-acme-ads': { resolved: 'libs/destinations/acme-ads', link: true },
    });
    // In npm's order, every other entry where it was.
    expect(packages[0]).toBe('');
    const before = Object.keys(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages);
    expect(packages.filter((path) => !path.includes('acme-ads'))).toEqual(before);
    const library = packages.indexOf('libs/destinations/acme-ads');
    expect(packages[library + 1].localeCompare('libs/destinations/acme-ads', 'en')).toBe(1);
    expect(packages[library - 1].localeCompare('libs/destinations/acme-ads', 'en')).toBe(-1);
  });

  it('adds its catalog entry and its line in the list of entries', () => {
    const entry = text(tree, 'libs/destinations/catalog/src/providers/acme-ads.entry.ts');
    expect(entry).toContain('export const ACME_ADS_ENTRY: ProviderEntry<AcmeAdsDeploymentOptions> = {');
    expect(entry).toContain("from '@conduit/destinations-acme-ads';");
    expect(entry).toMatch(/must set ACME_ADS_APP_ID and ACME_ADS_APP_SECRET/);
    const catalog = text(tree, REGISTRATION_FILES.catalog);
    expect(catalog).toContain("import { ACME_ADS_ENTRY } from './providers/acme-ads.entry';");
    expect(catalog).toMatch(
      /PROVIDER_ENTRIES: readonly ProviderEntry\[\] = \[[^\]]*TIKTOK_ENTRY[^\]]*ACME_ADS_ENTRY,?\s*\]/,
    );
  });

  it('adds its config section to ProvidersEnv and its variables to the README', () => {
    const section = text(tree, 'libs/config/src/providers/acme-ads.env.ts');
    expect(section).toContain('export function AcmeAdsEnv<TBase extends EnvClass>(Base: TBase)');
    for (const variable of [
      'APP_ID',
      'APP_SECRET',
      'API_BASE_URL',
      'AUTHORIZE_URL',
      'REDIRECT_URI',
      'RATE_LIMIT_QPS',
    ])
      expect(section).toContain(`ACME_ADS_${variable}?:`);
    const providersEnv = text(tree, REGISTRATION_FILES.providersEnv);
    expect(providersEnv).toContain("import { AcmeAdsEnv } from './providers/acme-ads.env';");
    expect(providersEnv).toMatch(/const ProviderSections = AcmeAdsEnv\([^;]*TikTokEnv\(BaseEnv\)[^;]*\);/);
    const readme = text(tree, REGISTRATION_FILES.readme);
    expect(readme).toMatch(/\| `ACME_ADS_APP_ID` \/ `ACME_ADS_APP_SECRET` +\| api, scheduler \|/);
    expect(readme.indexOf('`ACME_ADS_REDIRECT_URI`')).toBeLessThan(
      readme.indexOf('`PROVIDER_RETRY_ATTEMPTS`'),
    );
  });

  it('takes a display name, and refuses an id that exists with where it found it', async () => {
    const named = workspace();
    await providerGenerator(named, { id: 'globex', displayName: 'Globex Audiences' });
    expect(text(named, 'libs/destinations/globex/src/globex.provider.ts')).toContain(
      "readonly displayName = 'Globex Audiences';",
    );
    const before = text(named, REGISTRATION_FILES.catalog);
    await expect(providerGenerator(named, { id: 'globex' })).rejects.toThrow(
      'A provider "globex" exists already (the folder libs/destinations/globex exists; tsconfig.base.json maps ' +
        '@conduit/destinations-globex; the catalog lists GLOBEX_ENTRY; ProvidersEnv applies GlobexEnv): ' +
        'choose another id, or remove it first.',
    );
    expect(text(named, REGISTRATION_FILES.catalog)).toBe(before);
    await expect(providerGenerator(workspace(), { id: 'tiktok' })).rejects.toThrow(
      /A provider "tiktok" exists already \(.*the catalog lists TIKTOK_ENTRY/,
    );
  }, 60_000);

  it.each(['Acme', 'acme_ads', '1acme', 'acme--ads', '-acme', 'acme-', 'a'.repeat(33), ''])(
    'refuses the id %j, saying what an id must be',
    async (id) => {
      const untouched = workspace();
      const seeded = untouched.listChanges().map((change) => [change.path, change.content?.toString()]);
      await expect(providerGenerator(untouched, { id })).rejects.toThrow(
        `The provider id "${id}" is not valid: it must be kebab-case (lowercase letters and digits in words ` +
          'joined by single hyphens, starting with a letter), at most 32 characters, e.g. "acme-ads".',
      );
      expect(untouched.listChanges().map((change) => [change.path, change.content?.toString()])).toEqual(
        seeded,
      );
    },
  );
});

function filesUnder(tree: Tree, folder: string): string[] {
  return tree.children(folder).flatMap((child) => {
    const path = `${folder}/${child}`;
    return tree.isFile(path) ? [path] : filesUnder(tree, path);
  });
}

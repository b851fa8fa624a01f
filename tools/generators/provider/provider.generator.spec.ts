import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import providerGenerator, { REGISTRATION_FILES } from './provider.generator';

const root = join(__dirname, '..', '..', '..');

// Jest cannot load Prettier 3 (an ES module imported dynamically), so Nx's formatFiles would only warn
// here: the spec checks what the generator writes; `npx nx g` formats it (README's recipe runs it).
process.env['NX_SKIP_FORMAT'] = 'true';

/**
 * An empty workspace holding the real files the generator registers providers in, and the
 * workspace's Prettier settings (without them Nx would look for another formatter).
 */
function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  // Nx's empty workspace declares oxfmt; this one formats with Prettier.
  tree.delete('.oxfmtrc.json');
  for (const path of [...Object.values(REGISTRATION_FILES), '.prettierrc.json', '.prettierignore'])
    tree.write(path, readFileSync(join(root, path), 'utf8'));
  return tree;
}

const text = (tree: Tree, path: string): string => tree.read(path, 'utf-8') ?? '';

describe('provider generator (npx nx g @conduit/tools:provider <id>)', () => {
  let tree: Tree;

  beforeAll(async () => {
    tree = workspace();
    await providerGenerator(tree, { id: 'generated-ads' });
  }, 60_000);

  it('scaffolds the library in the shape every provider keeps, with a spec beside each file', () => {
    const library = 'libs/destinations/generated-ads';
    expect(tree.children(`${library}/src`).sort()).toEqual([
      '__fixtures__',
      'api-version.ts',
      'generated-ads.client.spec.ts',
      'generated-ads.client.ts',
      'generated-ads.errors.spec.ts',
      'generated-ads.errors.ts',
      'generated-ads.fields.spec.ts',
      'generated-ads.fields.ts',
      'generated-ads.mapper.spec.ts',
      'generated-ads.mapper.ts',
      'generated-ads.provider.spec.ts',
      'generated-ads.provider.ts',
      'index.ts',
    ]);
    expect(tree.children(`${library}/src/__fixtures__`)).toEqual(['fake-generated-ads-server.ts']);
    expect(tree.children(`${library}/test`)).toEqual(['generated-ads.conformance.int-spec.ts']);
    expect(readJson(tree, `${library}/package.json`)).toMatchObject({
      name: '@conduit/destinations-generated-ads',
      main: './src/index.ts',
    });
    expect(readJson(tree, `${library}/project.json`)).toMatchObject({
      name: 'destinations-generated-ads',
      tags: ['type:provider'],
    });
    expect(text(tree, `${library}/jest.config.cjs`)).toContain("displayName: 'destinations-generated-ads'");
    const provider = text(tree, `${library}/src/generated-ads.provider.ts`);
    expect(provider).toContain('export class GeneratedAdsProvider implements DestinationProvider');
    expect(provider).toContain("export const GENERATED_ADS_PROVIDER_ID = 'generated-ads';");
    expect(provider).toContain("readonly displayName = 'Generated Ads';");
    expect(text(tree, `${library}/src/generated-ads.errors.ts`)).toContain(
      "Generated Ads: ${operation} is not implemented yet: see README 'Adding a destination provider'",
    );
    expect(text(tree, `${library}/test/generated-ads.conformance.int-spec.ts`)).toContain(
      'describeProviderConformance(',
    );
    // Every template was filled in.
    for (const path of filesUnder(tree, library)) {
      expect(`${path}: ${text(tree, path)}`).not.toMatch(/<%|%>|__id__|\.template/);
    }
  });

  it('registers the package: TypeScript and SWC path aliases, the Jest project, the npm workspace', () => {
    const alias = { '@conduit/destinations-generated-ads': ['libs/destinations/generated-ads/src/index.ts'] };
    expect(readJson(tree, 'tsconfig.base.json').compilerOptions.paths).toMatchObject(alias);
    expect(readJson(tree, '.swcrc').jsc.paths).toMatchObject(alias);
    const jest = text(tree, 'jest.config.cjs');
    expect(jest).toContain("'<rootDir>/libs/destinations/generated-ads',");
    // One Jest run (`npm test`): the projects list, not a second configuration.
    expect(jest.indexOf("'<rootDir>/libs/destinations/generated-ads'")).toBeLessThan(
      jest.indexOf('testTimeout'),
    );
    const packages = Object.keys(readJson(tree, 'package-lock.json').packages);
    expect(readJson(tree, 'package-lock.json').packages).toMatchObject({
      'libs/destinations/generated-ads': { name: '@conduit/destinations-generated-ads', version: '0.1.0' },
      'node_modules/@conduit/destinations-generated-ads': {
        resolved: 'libs/destinations/generated-ads',
        link: true,
      },
    });
    // In npm's order, every other entry where it was.
    expect(packages[0]).toBe('');
    const before = Object.keys(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages);
    expect(packages.filter((path) => !path.includes('generated-ads'))).toEqual(before);
    const library = packages.indexOf('libs/destinations/generated-ads');
    expect(packages[library + 1].localeCompare('libs/destinations/generated-ads', 'en')).toBe(1);
    expect(packages[library - 1].localeCompare('libs/destinations/generated-ads', 'en')).toBe(-1);
  });

  it('copies its package.json into the image before npm ci, after the other providers', () => {
    const dockerfile = text(tree, REGISTRATION_FILES.dockerfile);
    const copies = dockerfile.split('\n').filter((line) => line.startsWith('COPY libs/destinations/'));
    expect(copies.at(-1)).toBe(
      'COPY libs/destinations/generated-ads/package.json libs/destinations/generated-ads/',
    );
    expect(dockerfile.indexOf('generated-ads/package.json')).toBeLessThan(dockerfile.indexOf('RUN npm ci'));
  });

  it('adds its catalog entry and its line in the list of entries', () => {
    const entry = text(tree, 'libs/destinations/catalog/src/providers/generated-ads.entry.ts');
    expect(entry).toContain(
      'export const GENERATED_ADS_ENTRY: ProviderEntry<GeneratedAdsDeploymentOptions> = {',
    );
    expect(entry).toContain("from '@conduit/destinations-generated-ads';");
    expect(entry).toMatch(/must set GENERATED_ADS_APP_ID and GENERATED_ADS_APP_SECRET/);
    const catalog = text(tree, REGISTRATION_FILES.catalog);
    expect(catalog).toContain("import { GENERATED_ADS_ENTRY } from './providers/generated-ads.entry';");
    expect(catalog).toMatch(
      /PROVIDER_ENTRIES: readonly ProviderEntry\[\] = \[[^\]]*TIKTOK_ENTRY[^\]]*GENERATED_ADS_ENTRY,?\s*\]/,
    );
  });

  it('adds its config section to ProvidersEnv and its variables to the README', () => {
    const section = text(tree, 'libs/config/src/providers/generated-ads.env.ts');
    expect(section).toContain('export function GeneratedAdsEnv<TBase extends EnvClass>(Base: TBase)');
    for (const variable of [
      'APP_ID',
      'APP_SECRET',
      'API_BASE_URL',
      'AUTHORIZE_URL',
      'REDIRECT_URI',
      'RATE_LIMIT_QPS',
    ])
      expect(section).toContain(`GENERATED_ADS_${variable}?:`);
    const providersEnv = text(tree, REGISTRATION_FILES.providersEnv);
    expect(providersEnv).toContain("import { GeneratedAdsEnv } from './providers/generated-ads.env';");
    expect(providersEnv).toMatch(
      /const ProviderSections = GeneratedAdsEnv\([^;]*TikTokEnv\(BaseEnv\)[^;]*\);/,
    );
    const readme = text(tree, REGISTRATION_FILES.readme);
    expect(readme).toMatch(/\| `GENERATED_ADS_APP_ID` \/ `GENERATED_ADS_APP_SECRET` +\| api, scheduler \|/);
    expect(readme.indexOf('`GENERATED_ADS_REDIRECT_URI`')).toBeLessThan(
      readme.indexOf('`PROVIDER_RETRY_ATTEMPTS`'),
    );
  });

  it('takes a display name, and refuses an id that exists with where it found it', async () => {
    const named = workspace();
    await providerGenerator(named, { id: 'generated-named', displayName: 'Named Audiences' });
    expect(text(named, 'libs/destinations/generated-named/src/generated-named.provider.ts')).toContain(
      "readonly displayName = 'Named Audiences';",
    );
    const before = text(named, REGISTRATION_FILES.catalog);
    await expect(providerGenerator(named, { id: 'generated-named' })).rejects.toThrow(
      'A provider "generated-named" exists already (the folder libs/destinations/generated-named exists; tsconfig.base.json maps ' +
        '@conduit/destinations-generated-named; the catalog lists GENERATED_NAMED_ENTRY; ProvidersEnv applies GeneratedNamedEnv): ' +
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

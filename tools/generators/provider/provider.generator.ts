import { join } from 'node:path';
import { formatFiles, generateFiles, logger, names, readJson, updateJson, type Tree } from '@nx/devkit';

/** The generator's options (schema.json). */
export interface ProviderGeneratorOptions {
  /** kebab-case, e.g. `acme-ads`: the provider id, its library folder and its package name. */
  id: string;
  /** How people see the provider; the id in title case when absent (`Acme Ads`). */
  displayName?: string;
}

/** What the workspace files the generator edits are called (they must exist: it registers there). */
export const REGISTRATION_FILES = {
  tsconfig: 'tsconfig.base.json',
  swcrc: '.swcrc',
  jest: 'jest.config.cjs',
  lockfile: 'package-lock.json',
  catalog: 'libs/destinations/catalog/src/catalog.ts',
  providersEnv: 'libs/config/src/providers.env.ts',
  readme: 'README.md',
  dockerfile: 'Dockerfile',
} as const;

/** A provider id: what GET /providers and the API's DTOs accept (`^[a-z][a-z0-9-]{0,31}$`), kebab-case. */
const PROVIDER_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_ID_LENGTH = 32;

/**
 * `npx nx g @conduit/tools:provider <id>`: scaffolds `libs/destinations/<id>` in the shape every
 * provider keeps (provider, client, mapper, errors, fields, fixtures, the conformance spec) and
 * registers it: path aliases (tsconfig, swc), the Jest project, the npm workspace, its catalog entry
 * and its config section. The workspace then builds and lints; every spec passes but the new
 * conformance spec, which fails until the provider is written.
 */
export default async function providerGenerator(tree: Tree, options: ProviderGeneratorOptions) {
  const id = validId(options.id);
  const libraryRoot = `libs/destinations/${id}`;
  const { className, constantName } = namesOf(id);
  const displayName = options.displayName?.trim() || titleOf(id);
  const packageName = `@conduit/destinations-${id}`;
  refuseExisting(tree, { id, libraryRoot, packageName, constantName });

  const substitutions = { id, className, constantName, displayName, tmpl: '' };
  generateFiles(tree, join(__dirname, 'files', 'lib'), libraryRoot, substitutions);
  generateFiles(
    tree,
    join(__dirname, 'files', 'catalog'),
    'libs/destinations/catalog/src/providers',
    substitutions,
  );
  generateFiles(tree, join(__dirname, 'files', 'config'), 'libs/config/src/providers', substitutions);

  addPathAlias(tree, packageName, `${libraryRoot}/src/index.ts`);
  addJestProject(tree, libraryRoot);
  addWorkspacePackage(tree, libraryRoot, packageName);
  addToImage(tree, libraryRoot);
  registerInCatalog(tree, id, constantName);
  addEnvSection(tree, id, className);
  documentVariables(tree, id, constantName, displayName);

  await formatFiles(tree);
  return () => {
    logger.info(
      [
        `${displayName} scaffolded in ${libraryRoot} and registered (catalog, config, paths, Jest).`,
        `Next: write ${className}Provider until \`npx jest -c jest.config.cjs ${libraryRoot}\` passes`,
        `(its conformance spec fails until then), run \`npm install\` to link the workspace package,`,
        `then \`npm run openapi\` to commit the API document with the config schema of ${displayName}.`,
        `README "Adding a destination provider" has the rest.`,
      ].join('\n'),
    );
  };
}

function validId(raw: unknown): string {
  const id = typeof raw === 'string' ? raw.trim() : '';
  if (!PROVIDER_ID.test(id) || id.length > MAX_ID_LENGTH) {
    throw new Error(
      `The provider id "${String(raw)}" is not valid: it must be kebab-case (lowercase letters and digits ` +
        `in words joined by single hyphens, starting with a letter), at most ${MAX_ID_LENGTH} characters, ` +
        `e.g. "acme-ads".`,
    );
  }
  return id;
}

/** `acme-ads` → `AcmeAds` (classes) and `ACME_ADS` (constants, environment variables). */
function namesOf(id: string) {
  const { className, constantName } = names(id);
  return { className, constantName };
}

/** `acme-ads` → `Acme Ads`. */
function titleOf(id: string): string {
  return id
    .split('-')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

/** Refuses an id a library, a package, a catalog entry or environment variables already use. */
function refuseExisting(
  tree: Tree,
  taken: { id: string; libraryRoot: string; packageName: string; constantName: string },
): void {
  const places: string[] = [];
  if (tree.exists(taken.libraryRoot)) places.push(`the folder ${taken.libraryRoot} exists`);
  const paths = readJson<{ compilerOptions: { paths: Record<string, string[]> } }>(
    tree,
    REGISTRATION_FILES.tsconfig,
  ).compilerOptions.paths;
  if (paths[taken.packageName]) places.push(`${REGISTRATION_FILES.tsconfig} maps ${taken.packageName}`);
  if (read(tree, REGISTRATION_FILES.catalog).includes(`${taken.constantName}_ENTRY`))
    places.push(`the catalog lists ${taken.constantName}_ENTRY`);
  if (read(tree, REGISTRATION_FILES.providersEnv).includes(`${names(taken.id).className}Env(`))
    places.push(`ProvidersEnv applies ${names(taken.id).className}Env`);
  if (places.length > 0) {
    throw new Error(
      `A provider "${taken.id}" exists already (${places.join('; ')}): choose another id, or remove it first.`,
    );
  }
}

function read(tree: Tree, path: string): string {
  const text = tree.read(path, 'utf-8');
  if (text === null) throw new Error(`The generator registers providers in ${path}, which is missing.`);
  return text;
}

/** Replaces `anchor` (which must appear once) with `replacement`, or says which file changed shape. */
function replaceOnce(tree: Tree, path: string, anchor: RegExp, replacement: (match: string) => string): void {
  const text = read(tree, path);
  const matches = text.match(new RegExp(anchor.source, `${anchor.flags.replace('g', '')}g`)) ?? [];
  if (matches.length !== 1) {
    throw new Error(
      `The generator expects ${anchor} once in ${path} (found ${matches.length}); the file changed shape: ` +
        `register the provider by hand (README "Adding a destination provider") and update the generator.`,
    );
  }
  tree.write(path, text.replace(anchor, replacement));
}

/** The package's path alias for TypeScript (and Jest, which reads it) and for SWC (the build). */
function addPathAlias(tree: Tree, packageName: string, entryPoint: string): void {
  updateJson(tree, REGISTRATION_FILES.tsconfig, (tsconfig) => {
    tsconfig.compilerOptions.paths[packageName] = [entryPoint];
    return tsconfig;
  });
  updateJson(tree, REGISTRATION_FILES.swcrc, (swcrc) => {
    swcrc.jsc.paths[packageName] = [entryPoint];
    return swcrc;
  });
}

/** One Jest run over every project (`npm test`): the library joins the list after the other providers. */
function addJestProject(tree: Tree, libraryRoot: string): void {
  replaceOnce(
    tree,
    REGISTRATION_FILES.jest,
    /(\n[ \t]*'<rootDir>\/libs\/destinations\/[^']+',)(?![\s\S]*'<rootDir>\/libs\/destinations\/)/,
    (last) => `${last}\n    '<rootDir>/${libraryRoot}',`,
  );
}

/**
 * The npm workspace's entries in the lockfile (`libs/destinations/*` is a workspace glob), so `npm ci`
 * finds the lockfile in sync; `npm install` links the package.
 */
function addWorkspacePackage(tree: Tree, libraryRoot: string, packageName: string): void {
  if (!tree.exists(REGISTRATION_FILES.lockfile)) return;
  updateJson<{ packages: Record<string, unknown> }>(tree, REGISTRATION_FILES.lockfile, (lockfile) => {
    let packages = Object.entries(lockfile.packages);
    packages = insertInOrder(packages, [libraryRoot, { name: packageName, version: '0.1.0' }]);
    packages = insertInOrder(packages, [
      `node_modules/${packageName}`,
      { resolved: libraryRoot, link: true },
    ]);
    lockfile.packages = Object.fromEntries(packages);
    return lockfile;
  });
}

/** The image installs every workspace before copying the sources: the new one's package.json too. */
function addToImage(tree: Tree, libraryRoot: string): void {
  replaceOnce(
    tree,
    REGISTRATION_FILES.dockerfile,
    /(\nCOPY libs\/destinations\/[^/\s]+\/package\.json libs\/destinations\/[^/\s]+\/)(?![\s\S]*\nCOPY libs\/destinations\/)/,
    (last) => `${last}\nCOPY ${libraryRoot}/package.json ${libraryRoot}/`,
  );
}

/**
 * Puts an entry before the first one that sorts after it, as npm orders the lockfile's paths (the
 * root, "", first); the others keep their places.
 */
function insertInOrder(entries: [string, unknown][], entry: [string, unknown]): [string, unknown][] {
  const next = entries.findIndex(([path]) => path !== '' && path.localeCompare(entry[0], 'en') > 0);
  return next === -1 ? [...entries, entry] : [...entries.slice(0, next), entry, ...entries.slice(next)];
}

/** The entry file is generated; here its import and its line in PROVIDER_ENTRIES. */
function registerInCatalog(tree: Tree, id: string, constantName: string): void {
  const entry = `${constantName}_ENTRY`;
  replaceOnce(
    tree,
    REGISTRATION_FILES.catalog,
    /\nimport [^;]+ from '\.\/providers\/[^']+\.entry';(?![\s\S]*from '\.\/providers\/)/,
    (lastImport) => `${lastImport}\nimport { ${entry} } from './providers/${id}.entry';`,
  );
  replaceOnce(
    tree,
    REGISTRATION_FILES.catalog,
    /(export const PROVIDER_ENTRIES: readonly ProviderEntry\[\] = \[)([\s\S]*?)(,?\s*\];)/,
    (list) => list.replace(/,?\s*\];$/, `, ${entry}];`),
  );
}

/** The section file is generated; here ProvidersEnv applies it. */
function addEnvSection(tree: Tree, id: string, className: string): void {
  const section = `${className}Env`;
  replaceOnce(
    tree,
    REGISTRATION_FILES.providersEnv,
    /\nimport \{ \w+Env \} from '\.\/providers\/[^']+\.env';(?![\s\S]*from '\.\/providers\/[^']+\.env')/,
    (lastImport) => `${lastImport}\nimport { ${section} } from './providers/${id}.env';`,
  );
  replaceOnce(tree, REGISTRATION_FILES.providersEnv, /const ProviderSections = ([\s\S]+?);/, (declaration) =>
    declaration.replace(/= ([\s\S]+?);$/, (_all, sections: string) => `= ${section}(${sections.trim()});`),
  );
}

/** The README's configuration table: the new variables, before the shared retry policy's. */
function documentVariables(tree: Tree, id: string, constantName: string, displayName: string): void {
  if (!tree.exists(REGISTRATION_FILES.readme)) return;
  const rows = [
    [
      `\`${constantName}_APP_ID\` / \`${constantName}_APP_SECRET\``,
      '_(unset)_',
      `Your ${displayName} developer app. Unset: ${displayName} is listed as unavailable`,
    ],
    [`\`${constantName}_API_BASE_URL\``, "_(the connector's)_", `The ${displayName} API (or an emulator's)`],
    [
      `\`${constantName}_AUTHORIZE_URL\``,
      "_(the connector's)_",
      `The ${displayName} consent page (or an emulator's)`,
    ],
    [
      `\`${constantName}_REDIRECT_URI\``,
      `\`$PUBLIC_URL/oauth/callback/${id}\``,
      `The redirect URI registered with the ${displayName} app`,
    ],
    [
      `\`${constantName}_RATE_LIMIT_QPS\` / \`${constantName}_RATE_LIMIT_QPM\``,
      "_(the connector's)_",
      `The ${displayName} app's request quota, one budget for every process through Redis`,
    ],
  ].map(([variable, byDefault, meaning]) => `| ${variable} | api, scheduler | ${byDefault} | ${meaning} |`);
  replaceOnce(
    tree,
    REGISTRATION_FILES.readme,
    /\n\| `PROVIDER_RETRY_ATTEMPTS` /,
    (row) => `\n${rows.join('\n')}${row}`,
  );
}

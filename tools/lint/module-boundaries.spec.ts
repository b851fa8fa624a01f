import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';

// Proves the project graph is enforced: each probe is a one-line file placed (virtually) inside a
// project and linted with the workspace's real ESLint configuration.
const root = join(__dirname, '..', '..');

const probes = {
  coreImportsDomain: {
    filePath: 'libs/destinations/core/src/probe.ts',
    code: "import { newId } from '@conduit/domain';\nexport const probe = newId;\n",
  },
  domainImportsApp: {
    filePath: 'libs/domain/src/probe.ts',
    code: "import { AppModule } from '../../../apps/api/src/app.module';\nexport const probe = AppModule;\n",
  },
  appImportsApp: {
    filePath: 'apps/scheduler/src/probe.ts',
    code: "import { AppModule } from '../../api/src/app.module';\nexport const probe = AppModule;\n",
  },
  deepImport: {
    filePath: 'apps/api/src/probe.ts',
    code: "import { newId } from '@conduit/domain/src/common/ids';\nexport const probe = newId;\n",
  },
  appImportsDomain: {
    filePath: 'apps/api/src/probe.ts',
    code: "import { newId } from '@conduit/domain';\nexport const probe = newId;\n",
  },
  domainImportsUtil: {
    filePath: 'libs/domain/src/probe.ts',
    code: "import { validateEnv } from '@conduit/config';\nexport const probe = validateEnv;\n",
  },
};

describe('module boundaries (eslint.config.mjs)', () => {
  let reported: Record<keyof typeof probes, string[]>;

  beforeAll(async () => {
    // The Nx rule reads the cached project graph; make sure it exists and is current.
    await createProjectGraphAsync({ exitOnError: false });
    const output = execFileSync(process.execPath, [join(__dirname, 'lint-probes.mjs')], {
      cwd: root,
      input: JSON.stringify(Object.values(probes)),
      encoding: 'utf8',
    });
    const results = JSON.parse(output) as string[][];
    reported = Object.fromEntries(
      Object.keys(probes).map((name, index) => [name, results[index]]),
    ) as typeof reported;
  }, 120_000);

  it('refuses destinations/core importing the domain (an arrow pointing back)', () => {
    expect(reported.coreImportsDomain).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses the domain importing an app', () => {
    expect(reported.domainImportsApp).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses one app importing another', () => {
    expect(reported.appImportsApp).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses deep imports into a library', () => {
    expect(reported.deepImport).toContain('no-restricted-imports');
  });

  it('allows the intended arrows', () => {
    expect(reported.appImportsDomain).toEqual([]);
    expect(reported.domainImportsUtil).toEqual([]);
  });
});

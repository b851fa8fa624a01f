import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The image runs `npm ci` on the workspaces' package.json files alone (the sources come after, so a
// code change does not reinstall): a workspace the Dockerfile forgets breaks `npm ci` in the image,
// and no other suite would notice (no Docker engine runs in CI).

const root = join(__dirname, '..', '..');

/** The folders npm's workspaces name: plain paths, and `dir/*` globs (the only kind package.json uses). */
function workspaceFolders(): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
}

describe('Dockerfile', () => {
  it("copies every npm workspace's package.json before npm ci, and nothing that is not one", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN npm ci'));
    const copied = [...beforeInstall.matchAll(/^COPY (\S+)\/package\.json \1\/$/gm)].map((match) => match[1]);
    const workspaces = workspaceFolders().filter((folder) => existsSync(join(root, folder, 'package.json')));
    expect(workspaces.length).toBeGreaterThan(10);
    expect([...copied].sort()).toEqual([...workspaces].sort());
  });
});

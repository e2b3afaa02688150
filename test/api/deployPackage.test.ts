import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildPackage } from '../../dev/deploy';
import { projectRoot } from '../../dev/stack';

// What `npm run deploy` publishes, built outside the repository so nothing can resolve a module
// from the project's own node_modules.
let out: string;
let size: { bytes: number; files: number };
beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'deploy-package-'));
  size = await buildPackage(out);
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Every package folder in the package's node_modules, nested ones included, as lockfile paths. */
function installed(dir: string, prefix = 'node_modules'): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) =>
      e.name.startsWith('@')
        ? readdirSync(path.join(dir, e.name)).map((n) => `${prefix}/${e.name}/${n}`)
        : [`${prefix}/${e.name}`],
    )
    .flatMap((p) => [p, ...installed(path.join(out, p, 'node_modules'), `${p}/node_modules`)]);
}

describe('the deployment package (npm run deploy)', () => {
  it('holds no dev dependency, direct or transitive, and none of dev/, bench/ or the tests', () => {
    const lock = JSON.parse(readFileSync(path.join(projectRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = new Set(
      Object.entries(lock.packages)
        .filter(([, p]) => p.dev)
        .map(([at]) => at),
    );
    const shipped = installed(path.join(out, 'node_modules'));
    expect(shipped.length).toBeGreaterThan(10);
    expect(shipped.filter((p) => devOnly.has(p))).toEqual([]);
    for (const name of ['typescript', 'vitest', 'azurite', 'eslint', 'autocannon'])
      expect(shipped).not.toContain(`node_modules/${name}`);
    expect(readdirSync(path.join(out, 'dist')).sort()).toEqual(['functions', 'src']);
    expect(existsSync(path.join(out, 'host.json'))).toBe(true);
    console.info(`deployment package: ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB`);
  });

  it('runs from what it holds: the entry point and every module of src/ load', () => {
    const script = `
      const { readdirSync } = require('node:fs');
      const path = require('node:path');
      require(path.resolve('dist/functions/index.js'));
      for (const e of readdirSync('dist/src', { recursive: true, withFileTypes: true }))
        if (e.isFile() && e.name.endsWith('.js')) require(path.resolve(e.parentPath, e.name));
    `;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: out, encoding: 'utf8' });
    // @azure/functions says it runs in test mode outside the host; anything else is a failure.
    const problems = result.stderr
      .split('\n')
      .filter((l) => l.trim() && !/^WARNING: .*(test mode|Failed to detect)/.test(l));
    expect(problems).toEqual([]);
    expect(result.status).toBe(0);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { httpRoutes } from '../../src/routes';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const DOCS = ['README.md', 'docs/api.md', 'infra/README.md', 'examples/logic-apps/README.md'];

// Graph's application permissions for calls (Microsoft Graph permissions reference, and the cloud
// communications API overview). Reference 004's table names `Calls.InitiateGroupCalls.All`, which
// does not exist: a docs page naming it sends an admin to consent to nothing.
const GRAPH_CALLING_PERMISSIONS = new Set([
  'Calls.AccessMedia.All',
  'Calls.Initiate.All',
  'Calls.InitiateGroupCall.All',
  'Calls.JoinGroupCall.All',
  'Calls.JoinGroupCallAsGuest.All',
]);

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.replace(/`/g, ''))));

describe('the documentation', () => {
  it('names only Graph permissions that exist', () => {
    const files = [...DOCS, 'infra/main.bicep', ...readdirSync(path.join(root, 'infra')).map((f) => `infra/${f}`)];
    const named = files
      .filter((f) => existsSync(path.join(root, f)) && f.match(/\.(md|bicep|json)$/))
      .flatMap((f) => [...read(f).matchAll(/\bCalls\.[A-Za-z.]*[A-Za-z]/g)].map((m) => `${f}: ${m[0]}`));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !GRAPH_CALLING_PERMISSIONS.has(n.split(': ')[1]!))).toEqual([]);
  });

  it("tells which permission each Graph-calling route needs, in the README's table", () => {
    const readme = read('README.md');
    for (const [route, permission] of [
      ['POST /api/calls/{callId}/participants/invite', 'Calls.InitiateGroupCall.All'],
      ['POST /api/calls` with `joinWebUrl', 'Calls.JoinGroupCall.All'],
      ['POST /api/calls` with one target', 'Calls.Initiate.All'],
    ]) {
      const row = readme
        .split('\n')
        .find((line) => line.trim().startsWith('|') && line.includes(route) && line.includes('`Calls.'));
      expect(row, route).toContain(permission);
    }
  });

  it('is self-contained: no document of the project points outside the repository for the contract', () => {
    for (const file of DOCS) expect(read(file), file).not.toMatch(/shared doc|API\.md/);
  });

  it('describes every HTTP route of the route table in docs/api.md', () => {
    const api = read('docs/api.md');
    for (const route of httpRoutes) {
      for (const method of route.methods) {
        expect(api, `${method} /api/${route.route}`).toContain(`${method} /api/${route.route}`);
      }
    }
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      const text = read(file);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // an absolute URL
        const [linked, anchor] = target!.split('#');
        const linkedFile = linked ? path.join(path.dirname(file), linked) : file;
        if (!existsSync(path.join(root, linkedFile))) broken.push(`${file}: ${target}`);
        else if (anchor && linkedFile.endsWith('.md') && !anchorsOf(read(linkedFile)).has(anchor))
          broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

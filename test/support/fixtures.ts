import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A JSON example from the Graph reference (test/fixtures/reference, copied verbatim from 004). */
export function referenceExample(
  n: 1 | 2 | 3 | 4,
  role: 'request' | 'response' | 'operation-completed-notification' | 'roster-notification',
): any {
  const file = path.join(__dirname, '..', 'fixtures', 'reference', `example${n}-${role}.json`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** A payload published on another Graph page (test/fixtures/published), with its ids replaced as given. */
export function publishedExample(name: string, ids: Record<string, string> = {}): any {
  let text = readFileSync(path.join(__dirname, '..', 'fixtures', 'published', `${name}.json`), 'utf8');
  for (const [from, to] of Object.entries(ids)) text = text.split(from).join(to);
  return JSON.parse(text);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A JSON example from the Graph reference (test/fixtures/reference, copied verbatim from 004). */
export function referenceExample(n: 1 | 2 | 3 | 4, role: 'request' | 'response' | 'operation-completed-notification' | 'roster-notification'): any {
  const file = path.join(__dirname, '..', 'fixtures', 'reference', `example${n}-${role}.json`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

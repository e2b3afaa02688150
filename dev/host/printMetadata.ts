// Prints, as JSON, the function metadata `@azure/functions` hands the Functions host for this app
// (what the Azure host indexes), loaded from package.json "main" exactly as the host loads it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { loadRegistrations } from './functionsCore';

const root = path.resolve(__dirname, '..', '..', '..');
const { main } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
const metadata = loadRegistrations(path.join(root, main)).map((r) => r.metadata);
process.stdout.write(JSON.stringify(metadata));

import type { z } from 'zod';

import { type FieldProblem, InvalidInput } from '../errors';

/** `['participants', 0, 'identity']` -> `participants[0].identity`. */
export function toJsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

export function toFieldProblems(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: toJsonPath([...prefix, ...issue.path]) || '(body)',
    message: issue.message,
  }));
}

/** InvalidInput whose message names the first invalid field and whose problems list all of them. */
export function invalidInput(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): InvalidInput {
  const problems = toFieldProblems(error, prefix);
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new InvalidInput(first ? `${first.path}: ${first.message}${more}` : 'The request body is invalid.', problems);
}

/**
 * Log lines written to stdout in batches: stdout is a pipe under `npm start` and the tests, and
 * pipe writes are synchronous on Linux, so one write per line would hold every request up.
 */
export function bufferedLog(
  write: (text: string) => void = (text) => process.stdout.write(text),
): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join('\n') + '\n';
    pending = [];
    write(text);
  };
  process.once('exit', () => pending.length && flush());
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

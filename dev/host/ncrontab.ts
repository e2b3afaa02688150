/**
 * NCRONTAB expressions as Azure Functions timer triggers use them, in UTC (as Azure does unless
 * WEBSITE_TIME_ZONE says otherwise, whatever the machine's time zone): six fields,
 * `second minute hour day month day-of-week`, each `*`, a number, a range `a-b`, a step `*\/n`
 * or `a-b/n`, or a list of those. Month and day names are not supported.
 */
export function compileNcrontab(expression: string): (at: Date) => boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`"${expression}" is not an NCRONTAB expression (six fields)`);
  const limits: Array<[number, number]> = [
    [0, 59],
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 6],
  ];
  const sets = fields.map((field, i) => parseField(field, limits[i]![0], limits[i]![1]));
  return (at) => {
    const parts = [
      at.getUTCSeconds(),
      at.getUTCMinutes(),
      at.getUTCHours(),
      at.getUTCDate(),
      at.getUTCMonth() + 1,
      at.getUTCDay(),
    ];
    return parts.every((value, i) => sets[i]!.has(value));
  };
}

function parseField(field: string, min: number, max: number): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [from, upTo] = range === '*' ? [min, max] : (range.split('-').map(Number) as [number, number | undefined]);
    let to = upTo;
    to ??= stepText === undefined ? from : max;
    if (![from, to, step].every(Number.isInteger) || from < min || to > max || from > to || step < 1) {
      throw new Error(`"${field}" is not a valid NCRONTAB field`);
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

import { z } from 'zod';

import { boundedId, boundedText } from './limits';

// Some Graph pages send codes as strings ("200"); numbers are what callers compare against.
const numberish = z.union([z.number(), boundedId()]).transform((v) => {
  if (typeof v === 'number') return v;
  return /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v;
});

/** Graph's resultInfo, with `subCode` (seen in some pages) read as `subcode`. */
export const ResultInfo = z
  .looseObject({
    code: numberish.nullish(),
    subcode: numberish.nullish(),
    subCode: numberish.nullish(),
    message: boundedText().nullish(),
  })
  .transform((r) => ({
    code: r.code ?? null,
    subcode: r.subcode ?? r.subCode ?? null,
    message: r.message ?? null,
  }));
export type ResultInfo = z.infer<typeof ResultInfo>;

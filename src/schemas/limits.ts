import { z } from 'zod';

// Bounds on the strings this service stores as table properties (64 KiB each at most):
// far above anything Graph sends, far below what a property holds.
export const MAX_ID_CHARS = 256;
export const MAX_TEXT_CHARS = 4096;
export const MAX_PATH_CHARS = 2048;
/** A callbackUrl: what browsers and Logic Apps handle comfortably, far below a 32 K-character property. */
export const MAX_URL_CHARS = 2048;

export const boundedId = () => z.string().max(MAX_ID_CHARS, `at most ${MAX_ID_CHARS} characters`);
export const boundedText = () => z.string().max(MAX_TEXT_CHARS, `at most ${MAX_TEXT_CHARS} characters`);

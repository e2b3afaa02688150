// JSON's `\uXXXX` escapes can deliver half a surrogate pair ("\ud800"): text that cannot be
// encoded as UTF-8, so Table Storage refuses it (or stores something that no longer reads back)
// and Graph would get it unchanged. docs/api.md: such text is invalid input.

// With the `u` flag a well-formed pair is one code point; only a lone half is in category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

export const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

/** The text with each lone surrogate replaced by U+FFFD, for messages that name it. */
export const toWellFormed = (text: string) => text.replace(LONE_SURROGATES, '\ufffd');

/**
 * The JSON path of the first key or string value in `value` that is not well-formed UTF-16,
 * or undefined when all of it is. Walks without recursion (bodies nest at most 64 levels, but
 * the walk should not depend on that).
 */
export function findIllFormedText(value: unknown): Array<string | number> | undefined {
  // Nearly every body is well-formed: check without building paths, build one only for a finding.
  if (!hasIllFormedText(value)) return undefined;
  const stack: Array<[unknown, Array<string | number>]> = [[value, []]];
  while (stack.length) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string') {
      if (!isWellFormed(node)) return path;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], [...path, i]]);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node).reverse()) {
        if (!isWellFormed(key)) return [...path, toWellFormed(key)];
        stack.push([child, [...path, key]]);
      }
    }
  }
  return undefined;
}

function hasIllFormedText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node === 'string') {
      if (!isWellFormed(node)) return true;
    } else if (Array.isArray(node)) {
      for (const child of node) stack.push(child);
    } else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        if (!isWellFormed(key)) return true;
        stack.push((node as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

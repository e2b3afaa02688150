// How optional and JSON-valued fields are kept in table properties: '' stands for null.

export const toJsonText = (value: unknown) => (value == null ? '' : JSON.stringify(value));
export const fromJsonText = <T>(value: unknown): T | null =>
  typeof value === 'string' && value !== '' ? (JSON.parse(value) as T) : null;
export const fromText = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** What the readers of JSON-lines traces share: telling objects apart, and a file's first record. */

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file's first non-empty line as a JSON object: what tells which kind of trace it holds. */
export function firstRecord(text: string): Record<string, unknown> | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '');
  try {
    const v = JSON.parse(first ?? '') as unknown;
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

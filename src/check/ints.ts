/** Shorter first, then lexicographic: a total order on int keys. */
export function compareInts(a: Int32Array, aLength: number, b: Int32Array, bLength: number): number {
  if (aLength !== bLength) return aLength - bLength;
  for (let i = 0; i < aLength; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

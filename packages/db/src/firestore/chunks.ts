/** Writes per batch: Firestore allows 500. */
export const BATCH = 450;
/** Documents per `getAll`. */
export const GET_ALL = 300;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

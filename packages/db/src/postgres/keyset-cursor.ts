import { StoreInputError } from '../errors.ts';

/**
 * Position in a list ordered by (time desc, id desc): the time as Postgres text in UTC with
 * microseconds (a JS Date would drop them and skip rows sharing the millisecond), and the id that
 * breaks ties.
 */
export interface KeysetCursor {
  at: string;
  id: string;
}

/** `column` as the text `KeysetCursor.at` holds, for a select list. */
export const cursorTime = (column: string): string => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Exactly what `cursorTime` produces: `Date.parse` alone would let through text such as `1` that
 * Postgres then rejects as a timestamp, an outage-looking error for a caller's mistake.
 */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) {
    throw new StoreInputError('cursor', 'not a cursor of this list');
  }
  const [at, id] = parsed as [string, string];
  if (!CURSOR_TIME.test(at) || Number.isNaN(Date.parse(at))) throw new StoreInputError('cursor', 'not a cursor of this list');
  return { at, id };
}

import { StoreInputError } from '../errors.ts';

/**
 * Newest first, ties broken by id: one string compared as a whole (milliseconds zero-padded, then the
 * id), so a page boundary is a single range condition (`key < cursor`) that Firestore serves from one
 * index (the in-process emulator ignores query cursors such as `startAfter`; a range works anywhere).
 * Conversations (`activeKey`), devices and notifications (`recentKey`) are listed by one.
 */
export const recencyKey = (at: Date, id: string): string => `${String(at.getTime()).padStart(15, '0')}:${id}`;

const RECENCY_KEY = /^\d{15}:.+$/;

/** A page's cursor is the key of its last item. */
export function encodeCursor(key: string): string {
  return Buffer.from(key).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!RECENCY_KEY.test(key)) throw new StoreInputError('cursor', 'not a cursor of this list');
  return key;
}

import { StoreInputError } from '../errors.ts';

/**
 * Position in `listConversations`: the activity time as Postgres text in UTC with microseconds (a JS
 * Date would drop them and skip rows sharing the millisecond), and the id that breaks ties.
 */
export interface ConversationCursor {
  activeAt: string;
  id: string;
}

export function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(JSON.stringify([cursor.activeAt, cursor.id])).toString('base64url');
}

export function decodeCursor(cursor: string): ConversationCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) {
    throw new StoreInputError('cursor', 'not a cursor of this list');
  }
  const [activeAt, id] = parsed as [string, string];
  if (Number.isNaN(Date.parse(activeAt))) throw new StoreInputError('cursor', 'not a cursor of this list');
  return { activeAt, id };
}

import { TRPCError } from '@trpc/server';

/**
 * Event ids of `chat.messages` / `chat.receipts`, opaque to clients.
 * - One conversation: the position (`seq` / `rseq`) in base 10.
 * - All conversations: `<floor ms, base 36>~<conversation>.<position base 36>,…` — every conversation
 *   this subscription delivered from, with its last position, and a floor time: in any conversation not
 *   listed, nothing created after the floor has been delivered. Positions are gapless per conversation,
 *   so this is exact without a global order across conversations.
 */
export interface StreamCursor {
  floor: Date | null;
  after: Record<string, number>;
}

const idPart = /^[A-Za-z0-9_-]+$/;

function malformed(): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message: 'lastEventId: not an event id of this stream' });
}

export function encodeSingle(position: number): string {
  return String(position);
}

export function encodeMulti(floor: Date, after: Map<string, number>): string {
  let out = `${floor.getTime().toString(36)}~`;
  let first = true;
  for (const [conversationId, position] of after) {
    out += `${first ? '' : ','}${conversationId}.${position.toString(36)}`;
    first = false;
  }
  return out;
}

export function decodeCursor(id: string, conversationId: string | undefined): StreamCursor {
  if (/^\d{1,16}$/.test(id)) {
    if (!conversationId) throw malformed();
    return { floor: null, after: { [conversationId]: Number(id) } };
  }
  const [floorPart, list, ...rest] = id.split('~');
  if (floorPart === undefined || list === undefined || rest.length) throw malformed();
  const floorMs = parseInt(floorPart, 36);
  if (!Number.isSafeInteger(floorMs)) throw malformed();
  const after: Record<string, number> = {};
  for (const entry of list ? list.split(',') : []) {
    const dot = entry.lastIndexOf('.');
    const conv = entry.slice(0, dot);
    const position = parseInt(entry.slice(dot + 1), 36);
    if (dot <= 0 || !idPart.test(conv) || !Number.isSafeInteger(position) || position < 0) throw malformed();
    after[conv] = position;
  }
  return { floor: new Date(floorMs), after };
}

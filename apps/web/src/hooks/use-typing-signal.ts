'use client';

import { useCallback, useEffect, useRef } from 'react';

/** Re-send `isTyping: true` this often while keys keep coming; the server drops a typist after 6 s quiet. */
const TYPING_REFRESH_MS = 3_000;

/**
 * Turns keystrokes into throttled `chat.typing` calls: one `true` per refresh period while typing,
 * one `false` when the text is sent, cleared or the field loses focus.
 */
export function useTypingSignal(conversationId: string, send: (conversationId: string, isTyping: boolean) => void) {
  const lastTrue = useRef(0);

  const stop = useCallback(() => {
    if (lastTrue.current === 0) return;
    lastTrue.current = 0;
    send(conversationId, false);
  }, [conversationId, send]);

  const onInput = useCallback(
    (text: string) => {
      if (!text.trim()) {
        stop();
        return;
      }
      const now = Date.now();
      if (now - lastTrue.current < TYPING_REFRESH_MS) return;
      lastTrue.current = now;
      send(conversationId, true);
    },
    [conversationId, send, stop],
  );

  // Leaving the conversation mid-sentence.
  useEffect(() => stop, [stop]);

  return { onInput, stop };
}

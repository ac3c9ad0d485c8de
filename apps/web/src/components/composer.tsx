'use client';

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useChat } from '@/state/chat-provider';
import { useTypingSignal } from '@/hooks/use-typing-signal';
import { SendIcon } from './icons';

const MAX_LENGTH = 4000;

export function Composer(props: { conversationId: string; title: string }) {
  const { actions } = useChat();
  const inputId = useId();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const typing = useTypingSignal(props.conversationId, actions.setTyping);

  // Opening a conversation puts the cursor in the composer, except on touch screens where that
  // would throw the keyboard over the history.
  useEffect(() => {
    if (window.matchMedia('(min-width: 768px)').matches) ref.current?.focus();
  }, [props.conversationId]);

  // Grow with the text up to a few lines, then scroll.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  function send(event?: FormEvent) {
    event?.preventDefault();
    const body = text.trim();
    if (!body || body.length > MAX_LENGTH) return;
    typing.stop();
    actions.send(props.conversationId, body);
    setText('');
    ref.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  }

  const tooLong = text.length > MAX_LENGTH;
  return (
    <form onSubmit={send} className="border-t border-slate-200 bg-white px-3 py-3 md:px-6">
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <label htmlFor={inputId} className="sr-only">Message {props.title}</label>
        <textarea
          id={inputId}
          ref={ref}
          rows={1}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            typing.onInput(e.target.value);
          }}
          onKeyDown={onKeyDown}
          onBlur={typing.stop}
          placeholder="Write a message…"
          aria-describedby={`${inputId}-hint`}
          aria-invalid={tooLong}
          className="max-h-40 min-h-[42px] flex-1 resize-none rounded-2xl border border-slate-300 bg-slate-50 px-4 py-2.5 text-[15px] leading-snug outline-none transition focus:border-indigo-500 focus:bg-white focus:ring-2 focus:ring-indigo-200"
        />
        <button
          type="submit"
          disabled={!text.trim() || tooLong}
          className="inline-flex h-[42px] w-[42px] shrink-0 items-center justify-center rounded-full bg-indigo-600 text-white shadow-sm transition hover:bg-indigo-500 disabled:bg-slate-300"
          aria-label="Send message"
        >
          <SendIcon />
        </button>
      </div>
      <p id={`${inputId}-hint`} className={`mx-auto mt-1 max-w-3xl px-2 text-[11px] ${tooLong ? 'text-rose-600' : 'hidden text-slate-400 md:block'}`}>
        {tooLong ? `${text.length - MAX_LENGTH} characters over the ${MAX_LENGTH} limit` : 'Enter to send · Shift+Enter for a new line'}
      </p>
    </form>
  );
}

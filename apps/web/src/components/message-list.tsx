'use client';

import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useChat } from '@/state/chat-provider';
import { tickFor, type ConversationState, type PendingMessage, type Tick } from '@/state/chat-state';
import type { Message } from '@/trpc/types';
import { formatDay, formatTime, isSameDay } from '@/lib/format';
import { otherMembers, personLabel } from '@/lib/people';
import { Avatar } from './avatar';

/** Within this distance of the bottom the view follows new messages. */
const STICK_PX = 120;
/** Consecutive messages of one sender closer than this share a group (one name, one avatar). */
const GROUP_MS = 5 * 60_000;

export function MessageList(props: { conv: ConversationState }) {
  const { state, actions } = useChat();
  const { conv } = props;
  const id = conv.conversation.id;
  const me = state.me;
  const scroller = useRef<HTMLDivElement>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState(false);
  const direct = otherMembers(conv, me).length === 1;

  // Scroll anchoring: keep the view on the newest message, and in place when older ones are prepended.
  const anchor = useRef({ firstSeq: 0, fromBottom: 0, atBottom: true, initialised: false });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const a = anchor.current;
    const firstSeq = conv.messages[0]?.seq ?? 0;
    const mineLast = conv.pending.length > 0 || conv.messages[conv.messages.length - 1]?.senderId === me?.id;
    if (!a.initialised && conv.historyLoaded) {
      el.scrollTop = el.scrollHeight;
      a.initialised = true;
    } else if (a.initialised && firstSeq < a.firstSeq && a.firstSeq !== 0) {
      el.scrollTop = el.scrollHeight - a.fromBottom;
    } else if (a.atBottom || mineLast) {
      el.scrollTop = el.scrollHeight;
    }
    a.firstSeq = firstSeq;
  }, [conv.historyLoaded, conv.messages, conv.pending.length, me?.id]);

  const loadOlder = useCallback(async () => {
    if (loadingOlder || conv.nextBeforeSeq === null) return;
    setLoadingOlder(true);
    setOlderError(false);
    try {
      await actions.loadOlder(id);
    } catch {
      setOlderError(true);
    } finally {
      setLoadingOlder(false);
    }
  }, [actions, conv.nextBeforeSeq, id, loadingOlder]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop;
    anchor.current.fromBottom = fromBottom;
    anchor.current.atBottom = fromBottom - el.clientHeight < STICK_PX;
    if (el.scrollTop < 200 && conv.historyLoaded && !olderError) void loadOlder();
  };

  // Short first pages do not scroll, so no scroll event would ever ask for more.
  useEffect(() => {
    const el = scroller.current;
    if (el && conv.historyLoaded && conv.nextBeforeSeq !== null && el.scrollHeight <= el.clientHeight && !olderError) void loadOlder();
  }, [conv.historyLoaded, conv.nextBeforeSeq, loadOlder, olderError]);

  const typists = Object.keys(conv.typing).filter((u) => u !== me?.id);
  const messages = conv.messages;

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      aria-relevant="additions"
      tabIndex={0}
      data-testid="message-list"
      className="min-h-0 flex-1 overflow-y-auto px-3 py-4 outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-indigo-300 md:px-6"
    >
      <div className="mx-auto flex max-w-3xl flex-col">
        {conv.historyLoaded && conv.nextBeforeSeq !== null && (
          <div className="mb-3 flex justify-center">
            <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder} className="rounded-full bg-white px-3 py-1 text-xs font-medium text-slate-600 shadow-sm ring-1 ring-slate-200 hover:bg-slate-50 disabled:opacity-60">
              {loadingOlder ? 'Loading…' : olderError ? 'Could not load. Try again' : 'Load earlier messages'}
            </button>
          </div>
        )}
        {conv.historyLoaded && conv.nextBeforeSeq === null && (
          <p className="mb-4 text-center text-xs text-slate-400">This is the beginning of the conversation.</p>
        )}
        {!conv.historyLoaded && messages.length === 0 && <p className="my-8 text-center text-sm text-slate-400" role="status">Loading messages…</p>}
        {conv.historyLoaded && messages.length === 0 && conv.pending.length === 0 && (
          <p className="my-8 text-center text-sm text-slate-500">No messages yet. Say hello!</p>
        )}

        {messages.map((message, index) => {
          const prev = messages[index - 1];
          const next = messages[index + 1];
          const newDay = !prev || !isSameDay(prev.createdAt, message.createdAt);
          const startsGroup = newDay || !prev || prev.senderId !== message.senderId || message.createdAt.getTime() - prev.createdAt.getTime() > GROUP_MS;
          const endsGroup = !next || next.senderId !== message.senderId || next.createdAt.getTime() - message.createdAt.getTime() > GROUP_MS || !isSameDay(next.createdAt, message.createdAt);
          const mine = message.senderId === me?.id;
          return (
            <Fragment key={message.id}>
              {newDay && <DaySeparator date={message.createdAt} />}
              <Bubble
                message={message}
                mine={mine}
                showSender={startsGroup && !mine && !direct}
                showAvatar={endsGroup && !mine && !direct}
                avatarColumn={!direct}
                senderLabel={personLabel(message.senderId, state)}
                startsGroup={startsGroup}
                tick={mine && me ? tickFor(conv, me.id, message.seq) : null}
              />
            </Fragment>
          );
        })}
        {conv.pending.map((pending) => (
          <PendingBubble key={pending.clientMessageId} pending={pending} onRetry={() => actions.retry(id, pending.clientMessageId)} onDiscard={() => actions.discard(id, pending.clientMessageId)} />
        ))}
        {typists.length > 0 && <TypingBubble avatarColumn={!direct} />}
      </div>
    </div>
  );
}

function DaySeparator(props: { date: Date }) {
  return (
    <div className="my-3 flex items-center gap-3" role="separator" aria-label={formatDay(props.date)}>
      <span className="h-px flex-1 bg-slate-200" />
      <span className="text-xs font-medium text-slate-400">{formatDay(props.date)}</span>
      <span className="h-px flex-1 bg-slate-200" />
    </div>
  );
}

function Bubble(props: {
  message: Message;
  mine: boolean;
  showSender: boolean;
  showAvatar: boolean;
  /** Groups keep a column for avatars so one sender's bubbles line up. */
  avatarColumn: boolean;
  senderLabel: string;
  startsGroup: boolean;
  tick: Tick | null;
}) {
  const { message, mine } = props;
  return (
    <div
      className={`flex items-end gap-2 ${props.startsGroup ? 'mt-3' : 'mt-0.5'} ${mine ? 'justify-end' : 'justify-start'}`}
      data-testid="message"
      data-seq={message.seq}
      data-mine={mine ? 'true' : 'false'}
      data-client-message-id={message.clientMessageId}
    >
      {!mine && props.avatarColumn && (
        <span className="w-8 shrink-0">{props.showAvatar && <Avatar id={message.senderId} label={props.senderLabel} size="sm" />}</span>
      )}
      <div className={`max-w-[80%] md:max-w-[70%] ${mine ? 'items-end' : 'items-start'} flex flex-col`}>
        {props.showSender && <span className="mb-0.5 ml-3 text-xs font-medium text-slate-500" data-testid="message-sender">{props.senderLabel}</span>}
        <div
          className={`rounded-2xl px-3.5 py-2 text-[15px] leading-snug shadow-sm ${mine ? 'rounded-br-md bg-indigo-600 text-white' : 'rounded-bl-md bg-white text-slate-900 ring-1 ring-slate-200'}`}
        >
          <p className="whitespace-pre-wrap break-words" data-testid="message-text">{message.text}</p>
          <span className={`mt-0.5 flex items-center justify-end gap-1 text-[11px] ${mine ? 'text-indigo-200' : 'text-slate-400'}`}>
            <time dateTime={message.createdAt.toISOString()}>{formatTime(message.createdAt)}</time>
            {props.tick && <Ticks tick={props.tick} />}
          </span>
        </div>
      </div>
    </div>
  );
}

const tickLabel: Record<Tick, string> = { sending: 'Sending', sent: 'Sent', delivered: 'Delivered', read: 'Read' };

function Ticks(props: { tick: Tick }) {
  const { tick } = props;
  // Read stands out in hue, not only in shape, from sent and delivered.
  const color = tick === 'read' ? 'text-emerald-300' : 'text-indigo-200';
  return (
    <span className={`inline-flex ${color}`} role="img" aria-label={tickLabel[tick]} title={tickLabel[tick]} data-testid="tick" data-tick={tick}>
      {tick === 'sending' ? (
        <svg viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
          <circle cx="8" cy="8" r="5.5" />
          <path d="M8 5v3l2 1.5" strokeLinecap="round" />
        </svg>
      ) : tick === 'sent' ? (
        <svg viewBox="0 0 16 16" className="h-3.5 w-3.5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
          <path d="M3 8.5 6.5 12 13 4.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      ) : (
        <svg viewBox="0 0 20 16" className="h-3.5 w-[18px]" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
          <path d="M1.5 8.5 5 12l6.5-7.5M8.5 11l1 1L16 4.5" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      )}
    </span>
  );
}

function PendingBubble(props: { pending: PendingMessage; onRetry: () => void; onDiscard: () => void }) {
  const { pending } = props;
  return (
    <div className="mt-0.5 flex justify-end" data-testid="message" data-pending={pending.state} data-mine="true" data-client-message-id={pending.clientMessageId}>
      <div className="flex max-w-[80%] flex-col items-end md:max-w-[70%]">
        <div className={`rounded-2xl rounded-br-md px-3.5 py-2 text-[15px] leading-snug shadow-sm ${pending.state === 'failed' ? 'bg-rose-50 text-rose-900 ring-1 ring-rose-200' : 'bg-indigo-600/80 text-white'}`}>
          <p className="whitespace-pre-wrap break-words" data-testid="message-text">{pending.text}</p>
          <span className="mt-0.5 flex items-center justify-end gap-1 text-[11px] opacity-80">
            {pending.state === 'failed' ? 'Not sent' : pending.state === 'queued' ? 'Waiting for connection' : <Ticks tick="sending" />}
          </span>
        </div>
        {pending.state === 'failed' && (
          <p className="mt-1 flex gap-3 text-xs text-rose-700">
            <span>{pending.error}</span>
            <button type="button" className="font-semibold hover:underline" onClick={props.onRetry}>Retry</button>
            <button type="button" className="font-semibold hover:underline" onClick={props.onDiscard}>Delete</button>
          </p>
        )}
      </div>
    </div>
  );
}

function TypingBubble(props: { avatarColumn: boolean }) {
  return (
    <div className="mt-3 flex items-end gap-2" aria-hidden="true">
      {props.avatarColumn && <span className="w-8 shrink-0" />}
      <div className="flex gap-1 rounded-2xl rounded-bl-md bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
        {[0, 150, 300].map((delay) => (
          <span key={delay} className="h-2 w-2 animate-bounce rounded-full bg-slate-400" style={{ animationDelay: `${delay}ms` }} />
        ))}
      </div>
    </div>
  );
}

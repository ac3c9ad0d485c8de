import type { ConversationState, Presence } from '@/state/chat-state';
import type { User, UserStatus } from '@/trpc/types';

/**
 * The contract exposes display names only for the signed-in user (`users.me`), so other people are
 * shown by their user id (readable in dev mode, where ids default to a slug of the chosen name).
 */
export function personLabel(userId: string, me: User | null): string {
  return me && userId === me.id ? me.displayName : userId;
}

export function otherMembers(conv: ConversationState, me: User | null): string[] {
  return conv.conversation.memberIds.filter((id) => id !== me?.id);
}

export function conversationTitle(conv: ConversationState, me: User | null): string {
  if (conv.conversation.title) return conv.conversation.title;
  const others = otherMembers(conv, me);
  if (others.length === 0) return 'Just you';
  if (others.length <= 3) return others.map((id) => personLabel(id, me)).join(', ');
  return `${others.slice(0, 2).join(', ')} and ${others.length - 2} others`;
}

/** What a dot shows: appearing offline, or not connected at all, looks the same to others. */
export type Visible = UserStatus;

export function visibleStatus(presence: Presence | undefined): Visible {
  if (!presence || !presence.online) return 'offline';
  return presence.status;
}

export const statusLabel: Record<UserStatus, string> = {
  online: 'Online',
  away: 'Away',
  busy: 'Busy',
  offline: 'Offline',
};

export const statusDotClass: Record<UserStatus, string> = {
  online: 'bg-emerald-500',
  away: 'bg-amber-400',
  busy: 'bg-rose-500',
  offline: 'bg-slate-300',
};

const avatarPalette = [
  'bg-indigo-100 text-indigo-700',
  'bg-sky-100 text-sky-700',
  'bg-emerald-100 text-emerald-700',
  'bg-amber-100 text-amber-800',
  'bg-rose-100 text-rose-700',
  'bg-violet-100 text-violet-700',
  'bg-teal-100 text-teal-700',
  'bg-orange-100 text-orange-700',
];

/** A stable colour per id, so a person looks the same in every list and tab. */
export function avatarColor(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (hash * 31 + id.charCodeAt(i)) >>> 0;
  return avatarPalette[hash % avatarPalette.length]!;
}

export function initials(label: string): string {
  const words = label.split(/[\s_-]+/).filter(Boolean);
  const letters = words.length >= 2 ? words[0]![0]! + words[1]![0]! : label.slice(0, 2);
  return letters.toUpperCase();
}

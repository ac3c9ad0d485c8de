import type { ChatState, ConversationState, Presence } from '@/state/chat-state';
import type { User, UserStatus } from '@/trpc/types';

type People = Pick<ChatState, 'me' | 'names'>;

/** A person's display name (`users.profiles`), or their id until it is known. */
export function personLabel(userId: string, people: People): string {
  if (people.me && userId === people.me.id) return people.me.displayName;
  return people.names[userId] ?? userId;
}

export function otherMembers(conv: ConversationState, me: User | null): string[] {
  return conv.conversation.memberIds.filter((id) => id !== me?.id);
}

export function conversationTitle(conv: ConversationState, people: People): string {
  if (conv.conversation.title) return conv.conversation.title;
  const others = otherMembers(conv, people.me);
  if (others.length === 0) return 'Just you';
  if (others.length <= 3) return others.map((id) => personLabel(id, people)).join(', ');
  return `${others.slice(0, 2).map((id) => personLabel(id, people)).join(', ')} and ${others.length - 2} others`;
}

/** Conversations up to this size get every member's name up front; larger ones only those shown. */
const NAME_ALL_MEMBERS_UP_TO = 50;

/** Ids whose display names the UI shows now and does not know yet. */
export function namesWanted(state: ChatState): string[] {
  const wanted = new Set<string>();
  const add = (id: string) => {
    if (id !== state.me?.id && !(id in state.names)) wanted.add(id);
  };
  for (const conv of Object.values(state.conversations)) {
    const { memberIds } = conv.conversation;
    if (memberIds.length <= NAME_ALL_MEMBERS_UP_TO) {
      memberIds.forEach(add);
      continue;
    }
    otherMembers(conv, state.me).slice(0, 3).forEach(add);
    if (conv.lastMessage) add(conv.lastMessage.senderId);
    for (const message of conv.messages) add(message.senderId);
    Object.keys(conv.typing).forEach(add);
  }
  Object.keys(state.presence).forEach(add);
  return [...wanted];
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

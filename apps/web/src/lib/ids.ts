/** A fresh `clientMessageId`: the key that makes a retried send land once. */
export function newClientMessageId(): string {
  return `c_${crypto.randomUUID().replace(/-/g, '')}`;
}

/** `Ada Lovelace` → `ada-lovelace`: a readable dev-mode user id that others can type. */
export function slugUserId(displayName: string): string {
  return displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** Ids pasted as a list: commas, spaces or new lines between them. */
export function parseUserIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
}

/**
 * Where the Parley server listens. `NEXT_PUBLIC_*` is inlined at build time; without it the page's own
 * host on the server's default port, so a phone on the LAN reaching `http://<laptop>:3000` also works.
 */
export function parleyWsUrl(): string {
  const configured = process.env.NEXT_PUBLIC_PARLEY_WS_URL;
  if (configured) return configured;
  const host = typeof window === 'undefined' ? '127.0.0.1' : window.location.hostname;
  const scheme = typeof window !== 'undefined' && window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${host}:3001/trpc`;
}

'use client';

import { useSyncExternalStore } from 'react';
import { readToken, subscribeToken } from '@/lib/session-store';

/**
 * The stored token, or `undefined` while rendering on the server / hydrating (localStorage is not
 * there), so the first client render matches the server's and then switches.
 */
export function useToken(): string | null | undefined {
  return useSyncExternalStore(subscribeToken, readToken, () => undefined);
}

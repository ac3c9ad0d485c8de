'use client';

import { useCallback, useEffect, useState } from 'react';

function fromUrl(): string | null {
  return new URLSearchParams(window.location.search).get('c');
}

/**
 * The open conversation lives in the URL (`?c=<id>`): a reload reopens it, and on a phone the
 * browser's back button returns from the conversation to the list.
 */
export function useSelectedConversation(): [string | null, (id: string | null) => void] {
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    setSelected(fromUrl());
    const onPop = () => setSelected(fromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const select = useCallback((id: string | null) => {
    const url = new URL(window.location.href);
    if (id) url.searchParams.set('c', id);
    else url.searchParams.delete('c');
    if (id && fromUrl()) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    setSelected(id);
  }, []);

  return [selected, select];
}

/**
 * The signed-in token lives in localStorage so every tab of the browser shares one session, and the
 * `storage` event tells the other tabs when it changes (sign-in or sign-out elsewhere).
 */
const TOKEN_KEY = 'parley.token';
/** Why the last session ended, shown once on the sign-in screen (per tab). */
const NOTICE_KEY = 'parley.signedOutNotice';
const CHANGE_EVENT = 'parley:session';

export function readToken(): string | null {
  try {
    return window.localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage disabled (private mode, policies): behave as signed out
  }
}

export function writeToken(token: string | null): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the session lasts as long as the tab
  }
  // `storage` fires only in other tabs; this tab hears its own change here.
  window.dispatchEvent(new Event(CHANGE_EVENT));
}

export function subscribeToken(onChange: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key === TOKEN_KEY) onChange();
  };
  window.addEventListener('storage', onStorage);
  window.addEventListener(CHANGE_EVENT, onChange);
  return () => {
    window.removeEventListener('storage', onStorage);
    window.removeEventListener(CHANGE_EVENT, onChange);
  };
}

export function setSignedOutNotice(message: string): void {
  try {
    window.sessionStorage.setItem(NOTICE_KEY, message);
  } catch {
    // nothing to show then
  }
}

export function takeSignedOutNotice(): string | null {
  try {
    const message = window.sessionStorage.getItem(NOTICE_KEY);
    window.sessionStorage.removeItem(NOTICE_KEY);
    return message;
  } catch {
    return null;
  }
}

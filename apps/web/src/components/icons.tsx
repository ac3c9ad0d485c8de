/** Inline icons (no icon font or network fetch); decorative unless a label is passed. */
type IconProps = { className?: string };

const base = 'shrink-0';

export function SendIcon({ className = 'h-5 w-5' }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className={`${base} ${className}`} aria-hidden="true">
      <path d="M3.1 2.3a.75.75 0 0 0-1 .9l1.9 6.05H11a.75.75 0 0 1 0 1.5H4l-1.9 6.05a.75.75 0 0 0 1 .9l15-7.25a.75.75 0 0 0 0-1.35L3.1 2.3Z" />
    </svg>
  );
}

export function PlusIcon({ className = 'h-5 w-5' }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className={`${base} ${className}`} aria-hidden="true">
      <path d="M10.75 4.75a.75.75 0 0 0-1.5 0v4.5h-4.5a.75.75 0 0 0 0 1.5h4.5v4.5a.75.75 0 0 0 1.5 0v-4.5h4.5a.75.75 0 0 0 0-1.5h-4.5v-4.5Z" />
    </svg>
  );
}

export function BackIcon({ className = 'h-5 w-5' }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className={`${base} ${className}`} aria-hidden="true">
      <path fillRule="evenodd" d="M12.8 4.2a.75.75 0 0 1 0 1.06L8.06 10l4.74 4.74a.75.75 0 1 1-1.06 1.06l-5.27-5.27a.75.75 0 0 1 0-1.06l5.27-5.27a.75.75 0 0 1 1.06 0Z" clipRule="evenodd" />
    </svg>
  );
}

export function CopyIcon({ className = 'h-4 w-4' }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className={`${base} ${className}`} aria-hidden="true">
      <path d="M7 3.5A1.5 1.5 0 0 1 8.5 2h3.88a1.5 1.5 0 0 1 1.06.44l3.12 3.12A1.5 1.5 0 0 1 17 6.62V12.5a1.5 1.5 0 0 1-1.5 1.5h-1v-3.38a3 3 0 0 0-.88-2.12L10.5 5.38A3 3 0 0 0 8.38 4.5H7v-1Z" />
      <path d="M4.5 6A1.5 1.5 0 0 0 3 7.5v9A1.5 1.5 0 0 0 4.5 18h7a1.5 1.5 0 0 0 1.5-1.5v-5.88a1.5 1.5 0 0 0-.44-1.06L9.44 6.44A1.5 1.5 0 0 0 8.38 6H4.5Z" />
    </svg>
  );
}

export function SignOutIcon({ className = 'h-5 w-5' }: IconProps) {
  return (
    <svg viewBox="0 0 20 20" fill="currentColor" className={`${base} ${className}`} aria-hidden="true">
      <path fillRule="evenodd" d="M3 4.25A2.25 2.25 0 0 1 5.25 2h5.5A2.25 2.25 0 0 1 13 4.25v2a.75.75 0 0 1-1.5 0v-2a.75.75 0 0 0-.75-.75h-5.5a.75.75 0 0 0-.75.75v11.5c0 .41.34.75.75.75h5.5a.75.75 0 0 0 .75-.75v-2a.75.75 0 0 1 1.5 0v2A2.25 2.25 0 0 1 10.75 18h-5.5A2.25 2.25 0 0 1 3 15.75V4.25Z" clipRule="evenodd" />
      <path fillRule="evenodd" d="M6 10a.75.75 0 0 1 .75-.75h9.55l-1.3-1.16a.75.75 0 1 1 1-1.12l2.75 2.5a.75.75 0 0 1 0 1.12l-2.75 2.5a.75.75 0 1 1-1-1.12l1.3-1.16H6.75A.75.75 0 0 1 6 10Z" clipRule="evenodd" />
    </svg>
  );
}

export function ChatBubblesIcon({ className = 'h-6 w-6' }: IconProps) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.5" className={`${base} ${className}`} aria-hidden="true">
      <path strokeLinecap="round" strokeLinejoin="round" d="M20.25 8.51c.88.28 1.5 1.12 1.5 2.08v4.29c0 1.14-.85 2.1-1.98 2.19-.34.03-.68.05-1.02.07v3.11l-3-3c-1.35 0-2.7-.06-4.02-.16a2.1 2.1 0 0 1-.83-.25m9.35-8.33a2.12 2.12 0 0 0-.47-.1 48.4 48.4 0 0 0-8.06 0c-1.13.1-1.97 1.06-1.97 2.19v4.29c0 .84.46 1.58 1.16 1.95m9.35-8.33V6.64c0-1.62-1.15-3.03-2.76-3.24a48.4 48.4 0 0 0-12.48 0C3.15 3.6 2 5.02 2 6.64v6.24c0 1.62 1.15 3.03 2.76 3.24.58.08 1.16.14 1.74.19V21L10.65 16.85" />
    </svg>
  );
}

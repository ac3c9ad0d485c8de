import { avatarColor, initials, statusDotClass, statusLabel, type Visible } from '@/lib/people';

const sizes = {
  sm: 'h-8 w-8 text-xs',
  md: 'h-10 w-10 text-sm',
  lg: 'h-12 w-12 text-base',
} as const;

export function PresenceDot(props: { status: Visible; className?: string }) {
  return (
    <span
      className={`inline-block h-3 w-3 rounded-full ring-2 ring-white ${statusDotClass[props.status]} ${props.className ?? ''}`}
      data-status={props.status}
      aria-hidden="true"
    />
  );
}

/** Initials on a per-person colour, with a presence dot when `status` is given. */
export function Avatar(props: { id: string; label: string; size?: keyof typeof sizes; status?: Visible; group?: boolean }) {
  const size = sizes[props.size ?? 'md'];
  return (
    <span className="relative inline-flex shrink-0">
      <span
        className={`inline-flex items-center justify-center rounded-full font-semibold ${size} ${props.group ? 'bg-slate-200 text-slate-700' : avatarColor(props.id)}`}
        aria-hidden="true"
      >
        {props.group ? (
          <svg viewBox="0 0 20 20" fill="currentColor" className="h-1/2 w-1/2">
            <path d="M7 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6Zm7.5 1a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5ZM1.6 15.5A5.5 5.5 0 0 1 12.4 15.5.9.9 0 0 1 11.5 17h-9a.9.9 0 0 1-.9-1.5Zm12.2 1.5h3.7a.9.9 0 0 0 .9-1.2 4.5 4.5 0 0 0-6.3-3.3 7 7 0 0 1 1.7 4.5Z" />
          </svg>
        ) : (
          initials(props.label)
        )}
      </span>
      {props.status && (
        <span className="absolute -bottom-0.5 -right-0.5" title={statusLabel[props.status]}>
          <PresenceDot status={props.status} />
        </span>
      )}
    </span>
  );
}

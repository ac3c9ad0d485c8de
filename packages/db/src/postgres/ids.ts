import { randomBytes } from 'node:crypto';

/**
 * `m_…` for messages, `c_…` for conversations, `n_…` for notifications: the creation time in base 36
 * first, so ids sort roughly by age and new rows land at the end of their index, then 64 random bits.
 */
export function newId(prefix: 'm' | 'c' | 'n'): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

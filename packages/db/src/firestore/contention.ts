import { setTimeout as sleep } from 'node:timers/promises';

/** gRPC status codes the store reacts to. */
const ALREADY_EXISTS = 6;
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;

const codeOf = (error: unknown): unknown => (typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined);

/** A `create()` found the document there: another writer took the position first. */
export const isAlreadyExists = (error: unknown): boolean => codeOf(error) === ALREADY_EXISTS;
export const isNotFound = (error: unknown): boolean => codeOf(error) === NOT_FOUND;
/** A `lastUpdateTime` precondition failed: the document changed since it was read. */
export const isFailedPrecondition = (error: unknown): boolean => codeOf(error) === FAILED_PRECONDITION;

/** Returned by an attempt of `contended()` that lost a race and should run again. */
export const RETRY: unique symbol = Symbol('retry');

/** Thrown when a position stayed contended for every attempt; the caller may try again later. */
export class StoreContentionError extends Error {
  override readonly name = 'StoreContentionError';
}

export interface ContendedOptions {
  /** For the error message. */
  what: string;
  /** @default 200 */
  maxAttempts?: number;
}

/**
 * Runs `attempt` until it returns something other than `RETRY`. Every lost race means another writer
 * committed that position, so a burst of writers always makes progress; the short random pause only
 * spreads their retries.
 */
export async function contended<T>(options: ContendedOptions, attempt: () => Promise<T | typeof RETRY>): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 200;
  for (let i = 0; i < maxAttempts; i++) {
    const result = await attempt();
    if (result !== RETRY) return result;
    await sleep(Math.random() * Math.min(2 ** i, 25));
  }
  throw new StoreContentionError(`${options.what}: still contended after ${maxAttempts} attempts`);
}

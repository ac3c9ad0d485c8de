import { TRPCError } from '@trpc/server';
import { StoreInputError } from '@parley/db';

/** Input the schema let through but the store cannot use (a forged cursor) is the caller's error. */
export async function asBadRequest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreInputError) throw new TRPCError({ code: 'BAD_REQUEST', message: `${error.field}: ${error.message}`, cause: error });
    throw error;
  }
}

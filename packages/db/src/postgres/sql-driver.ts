/** What the SQL code of the store needs from a connection: parameterised queries and whole scripts. */
export interface SqlExecutor {
  /** One statement with `$n` parameters; the caller names the row shape. */
  query<Row>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A database behind the store: embedded PGlite or a Postgres server. */
export interface SqlDriver extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` on one connection between BEGIN and COMMIT; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** SQLSTATE 23505; both drivers expose the server's `code` on their errors. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

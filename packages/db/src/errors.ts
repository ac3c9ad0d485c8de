/** Input the store cannot use (a malformed cursor, say): the caller's mistake, not an outage. */
export class StoreInputError extends Error {
  override readonly name = 'StoreInputError';
  /** The input field at fault, as the API names it. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

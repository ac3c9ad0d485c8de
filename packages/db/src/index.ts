export type * from './store.ts';
export { createStore, type StoreConfig } from './create-store.ts';
export { StoreInputError } from './errors.ts';

export * from './inputs.ts';
export type * from './shapes.ts';
export * from './bus.ts';

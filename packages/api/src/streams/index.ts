export { FAST_STREAM, toStreamEvent, type StreamItem, type StreamEvent, type TrackedSubscription } from './tracked-stream.ts';

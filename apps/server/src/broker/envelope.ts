import type { BusEvent } from '@parley/api/schema';

/** The cross-instance frame: the publishing instance's id and the event. */
export interface Envelope {
  o: string;
  e: BusEvent;
}

const dateKeys = new Set(['createdAt', 'timestamp', 'lastSeenAt', 'connectedAt']);
const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export function encodeEnvelope(origin: string, event: BusEvent): string {
  return JSON.stringify({ o: origin, e: event } satisfies Envelope);
}

/** Dates travel as ISO strings; only the known date fields are revived, never user data. */
export function decodeEnvelope(payload: string): Envelope {
  return JSON.parse(payload, function (this: unknown, key, value: unknown) {
    if (typeof value === 'string' && dateKeys.has(key) && isoDate.test(value)) {
      // `data` of notifications is user-supplied: leave strings inside it alone.
      return new Date(value);
    }
    return value;
  }) as Envelope;
}

import { readFile } from 'node:fs/promises';
import { Query } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirestoreStore } from './firestore-store.ts';
import { startInProcessEmulator, type InProcessEmulator } from './in-process-emulator.ts';

/**
 * No emulator enforces composite indexes, so this checks the store's queries against
 * `firestore.indexes.json` itself: every query the store sends is recorded while it runs, and each
 * must be one that single-field indexes serve or that a shipped composite index serves.
 */

interface IndexField {
  fieldPath: string;
  order?: 'ASCENDING' | 'DESCENDING';
  arrayConfig?: 'CONTAINS';
}
interface CompositeIndex {
  collectionGroup: string;
  queryScope: string;
  fields: IndexField[];
}
interface FieldFilter {
  field: { fieldPath: string };
  op: string;
}
interface Filter {
  fieldFilter?: FieldFilter;
  compositeFilter?: { op: string; filters: Filter[] };
  unaryFilter?: { field: { fieldPath: string }; op: string };
}
interface StructuredQuery {
  from: Array<{ collectionId: string; allDescendants?: boolean }>;
  where?: Filter;
  orderBy?: Array<{ field: { fieldPath: string }; direction?: 'ASCENDING' | 'DESCENDING' }>;
}

const EQUALITY = new Set(['EQUAL', 'IN']);
const CONTAINS = new Set(['ARRAY_CONTAINS', 'ARRAY_CONTAINS_ANY']);

function fieldFilters(filter: Filter | undefined): FieldFilter[] {
  if (!filter) return [];
  if (filter.fieldFilter) return [filter.fieldFilter];
  if (filter.unaryFilter) return [{ field: filter.unaryFilter.field, op: 'EQUAL' }];
  if (filter.compositeFilter?.op === 'AND') return filter.compositeFilter.filters.flatMap(fieldFilters);
  throw new Error(`filter not checked here: ${JSON.stringify(filter)}`);
}

/** What a composite index must hold: equality and array fields in any order, then the ordered ones. */
interface Need {
  collectionGroup: string;
  unordered: IndexField[];
  ordered: IndexField[];
}

/** The composite index a query needs, or null when single-field indexes serve it. */
function requiredIndex(query: StructuredQuery): Need | null {
  const [from] = query.from;
  if (!from || from.allDescendants) throw new Error('collection group queries are not used by the store');
  const filters = fieldFilters(query.where);
  const unordered = filters
    .filter((f) => EQUALITY.has(f.op) || CONTAINS.has(f.op))
    .map((f): IndexField => (CONTAINS.has(f.op) ? { fieldPath: f.field.fieldPath, arrayConfig: 'CONTAINS' } : { fieldPath: f.field.fieldPath }));
  const inequalities = [...new Set(filters.filter((f) => !EQUALITY.has(f.op) && !CONTAINS.has(f.op)).map((f) => f.field.fieldPath))];
  const ordered: IndexField[] = (query.orderBy ?? [])
    .filter((o) => o.field.fieldPath !== '__name__')
    .map((o) => ({ fieldPath: o.field.fieldPath, order: o.direction ?? 'ASCENDING' }));
  // Inequality fields not ordered explicitly are ordered by, ascending, after the explicit orders.
  for (const fieldPath of inequalities.sort()) if (!ordered.some((o) => o.fieldPath === fieldPath)) ordered.push({ fieldPath, order: 'ASCENDING' });
  const fields = new Set([...unordered, ...ordered].map((f) => f.fieldPath));
  const arrays = unordered.some((f) => f.arrayConfig);
  // Equalities alone are merged from single-field indexes; so is anything on one (non-array) field.
  if (ordered.length === 0 || (fields.size === 1 && !arrays)) return null;
  return { collectionGroup: from.collectionId, unordered, ordered };
}

const unorderedKey = (f: IndexField): string => `${f.fieldPath}:${f.arrayConfig ?? 'EQ'}`;
const orderedKey = (f: IndexField): string => `${f.fieldPath}:${f.order}`;
const same = (a: string[], b: string[]): boolean => JSON.stringify(a) === JSON.stringify(b);

function serves(index: CompositeIndex, need: Need): boolean {
  const n = need.unordered.length;
  if (index.collectionGroup !== need.collectionGroup || index.queryScope !== 'COLLECTION' || index.fields.length !== n + need.ordered.length) return false;
  return (
    same(index.fields.slice(0, n).map(unorderedKey).sort(), need.unordered.map(unorderedKey).sort()) &&
    same(index.fields.slice(n).map(orderedKey), need.ordered.map(orderedKey))
  );
}

describe('firestore.indexes.json', () => {
  let emulator: InProcessEmulator;
  let store: FirestoreStore;
  const recorded: StructuredQuery[] = [];
  const proto = Query.prototype as unknown as { toStructuredQuery(this: Query): StructuredQuery };
  const original = proto.toStructuredQuery;

  beforeAll(async () => {
    emulator = await startInProcessEmulator();
    store = new FirestoreStore(emulator.client());
    proto.toStructuredQuery = function (this: Query) {
      const query = original.call(this);
      recorded.push(query);
      return query;
    };
  });
  afterAll(async () => {
    proto.toStructuredQuery = original;
    await store.close();
    await emulator.stop();
  });

  it('serves every query the store makes', async () => {
    const { indexes } = JSON.parse(await readFile(new URL('./firestore.indexes.json', import.meta.url), 'utf8')) as { indexes: CompositeIndex[] };
    // Every query path of the store, once.
    await store.upsertUser({ id: 'ann', displayName: 'Ann' });
    await store.upsertUser({ id: 'bob', displayName: 'Bob' });
    await store.createSession({ id: 's1', userId: 'ann' });
    await store.createSession({ id: 's2', userId: 'ann' });
    await store.touchSessions(['s1'], new Date());
    await store.endSession('s1', new Date());
    await store.listIdleSessions(new Date(Date.now() + 1_000), 10);
    const one = await store.createConversation({ memberIds: ['ann', 'bob'], title: null });
    const two = await store.createConversation({ memberIds: ['ann', 'bob'], title: 'two' });
    for (let i = 0; i < 3; i++) await store.appendMessage({ conversationId: one.id, senderId: i ? 'ann' : 'bob', clientMessageId: `c${i}`, text: 'hi' });
    await store.markReceipt({ conversationId: one.id, userId: 'ann', seq: 3, kind: 'read' });
    await store.history(one.id, { beforeSeq: 3, limit: 1 });
    const first = await store.listConversations('ann', { limit: 1 });
    await store.listConversations('bob', { limit: 5, cursor: first.nextCursor });
    await store.registerDevice({ userId: 'ann', token: 'web/push/1', platform: 'web' });
    await store.registerDevice({ userId: 'bob', token: 'web/push/1', platform: 'android' });
    await store.devicesOf('bob');
    await store.removeDevices(['web/push/1']);
    for (const message of (await store.history(one.id, { limit: 2 })).messages) await store.addNotification({ recipientId: 'ann', message });
    const notifications = await store.listNotifications('ann', { limit: 1 });
    expect(notifications.nextCursor).not.toBeNull();
    await store.listNotifications('ann', { limit: 5, cursor: notifications.nextCursor });
    await store.conversationIdsOf('ann');
    await store.contactIdsOf('ann');
    for (const kind of ['messages', 'receipts'] as const) {
      await store.readStream(kind, { conversationIds: [one.id, two.id], after: { [one.id]: 0 }, since: new Date(0), limit: 10 });
    }

    expect(recorded.length).toBeGreaterThan(10);
    const needed = recorded.map(requiredIndex).filter((need): need is Need => need !== null);
    for (const need of needed) expect(indexes.some((index) => serves(index, need)), `no index serves ${JSON.stringify(need)}`).toBe(true);
    // And nothing shipped goes unused.
    for (const index of indexes) expect(needed.some((need) => serves(index, need)), `unused index ${JSON.stringify(index)}`).toBe(true);
  });
});

import type { Firestore } from '@google-cloud/firestore';
import type { DevicePlatform, DeviceRecord } from '../store.ts';
import { BATCH, chunks } from './chunks.ts';
import { isDocumentId, type FirestoreCollections } from './collections.ts';
import { dataOf, readTimeOf, stamp, toDevice, type DeviceDoc } from './documents.ts';
import { recencyKey } from './recency-key.ts';

/** Devices read per query of `devicesOf`; it reads on until a page comes back short. */
const PAGE = 100;

/**
 * One document per token, written whole: of two users registering one token at once, the last write
 * keeps it, as with the SQL store's upsert. The user is read in the same round trip as the token: an
 * unknown user is refused (the SQL store's foreign key does the same), and the read time is the
 * store's clock. A token that changes hands is a new device of its new user: `createdAt` starts again.
 */
export async function registerDevice(
  db: Firestore,
  paths: FirestoreCollections,
  input: { userId: string; token: string; platform: DevicePlatform },
): Promise<DeviceRecord> {
  if (!isDocumentId(input.userId)) throw new Error(`unknown user ${input.userId}`);
  const ref = paths.device(input.token);
  const [member, current] = await db.getAll(paths.member(input.userId), ref);
  if (!member?.exists) throw new Error(`unknown user ${input.userId}`);
  const at = readTimeOf(member);
  const previous = current?.exists ? dataOf<DeviceDoc>(current) : null;
  const device: DeviceDoc = {
    token: input.token,
    userId: input.userId,
    platform: input.platform,
    createdAt: previous?.userId === input.userId ? previous.createdAt : stamp(at),
    updatedAt: stamp(at),
    recentKey: recencyKey(at, ref.id),
  };
  await ref.set(device);
  return toDevice(device);
}

/** Pages by `recentKey` (index: userId, recentKey DESC), so each query is bounded however many there are. */
export async function devicesOf(paths: FirestoreCollections, userId: string): Promise<DeviceRecord[]> {
  const devices: DeviceRecord[] = [];
  let after: string | null = null;
  for (;;) {
    let query = paths.devices().where('userId', '==', userId);
    if (after !== null) query = query.where('recentKey', '<', after);
    const page = await query.orderBy('recentKey', 'desc').limit(PAGE).get();
    const docs = page.docs.map((doc) => dataOf<DeviceDoc>(doc));
    devices.push(...docs.map(toDevice));
    const last = docs.at(-1);
    if (!last || docs.length < PAGE) return devices;
    after = last.recentKey;
  }
}

export async function removeDevices(db: Firestore, paths: FirestoreCollections, tokens: string[]): Promise<void> {
  // Deleting a missing document succeeds: unknown tokens need no read.
  for (const part of chunks([...new Set(tokens)], BATCH)) {
    const batch = db.batch();
    for (const token of part) batch.delete(paths.device(token));
    await batch.commit();
  }
}

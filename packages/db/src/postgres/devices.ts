import type { DevicePlatform, DeviceRecord } from '../store.ts';
import { toDevice, type DeviceRow } from './rows.ts';
import type { SqlExecutor } from './sql-driver.ts';

// One statement, so two users registering one token at once queue on its row and the last one keeps
// it. A token that changes hands is a new device of its new user: its `created_at` starts again.
// One clock reading for both times, so a new row never has `updated_at` before `created_at`.
const REGISTER = `
  insert into devices (token, user_id, platform, created_at, updated_at)
  select $1, $2, $3, t.at, t.at from (select clock_timestamp() as at) t
  on conflict (token) do update set
    user_id = excluded.user_id,
    platform = excluded.platform,
    created_at = case when devices.user_id = excluded.user_id then devices.created_at else excluded.created_at end,
    updated_at = excluded.updated_at
  returning *`;

export async function registerDevice(db: SqlExecutor, input: { userId: string; token: string; platform: DevicePlatform }): Promise<DeviceRecord> {
  const [row] = await db.query<DeviceRow>(REGISTER, [input.token, input.userId, input.platform]);
  if (!row) throw new Error(`device of user ${input.userId} not stored`);
  return toDevice(row);
}

export async function devicesOf(db: SqlExecutor, userId: string): Promise<DeviceRecord[]> {
  const rows = await db.query<DeviceRow>('select * from devices where user_id = $1 order by updated_at desc, token desc', [userId]);
  return rows.map(toDevice);
}

export async function removeDevices(db: SqlExecutor, tokens: string[]): Promise<void> {
  if (tokens.length === 0) return;
  await db.query('delete from devices where token = any($1::text[])', [tokens]);
}

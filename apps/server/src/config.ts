import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ApiConfig } from '@parley/api';
import type { StoreConfig } from '@parley/db';
import type { Env } from './env.ts';
import type { JobQueueOptions } from './jobs/queues.ts';
import type { NotifierConfig } from './notify/create-notifier.ts';

export function apiConfigFrom(env: Env): ApiConfig {
  return {
    serviceToken: env.SERVICE_TOKEN ?? null,
    limits: {
      send: { perSecond: env.RATE_SEND_PER_SEC, burst: Math.max(env.RATE_SEND_BURST, 1) },
      typing: { perSecond: env.RATE_TYPING_PER_SEC, burst: Math.max(env.RATE_TYPING_BURST, 1) },
    },
    pingIntervalMs: env.PING_INTERVAL_MS,
    sessionIdleTimeoutMs: env.SESSION_IDLE_TIMEOUT_MS,
  };
}

export function storeConfigFrom(env: Env): StoreConfig {
  if (env.STORE === 'postgres') {
    if (!env.DATABASE_URL) throw new Error('STORE=postgres needs DATABASE_URL (e.g. postgres://user@127.0.0.1:5432/parley)');
    return { kind: 'postgres', url: env.DATABASE_URL };
  }
  if (env.STORE === 'firestore') {
    return {
      kind: 'firestore',
      ...(env.FIREBASE_PROJECT_ID ? { projectId: env.FIREBASE_PROJECT_ID } : {}),
      ...(env.FIRESTORE_DATABASE_ID ? { databaseId: env.FIRESTORE_DATABASE_ID } : {}),
      ...(env.FIRESTORE_EMULATOR_HOST ? { emulatorHost: env.FIRESTORE_EMULATOR_HOST } : {}),
    };
  }
  return { kind: 'pglite', dataDir: env.DATA_DIR };
}

export function instanceIdFrom(env: Env): string {
  return env.INSTANCE_ID ?? `${hostname().replace(/[^A-Za-z0-9-]/g, '').slice(0, 20)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function jobQueueOptionsFrom(env: Env): JobQueueOptions & { lockDurationMs: number } {
  return { notifyDelayMs: env.NOTIFY_DELAY_MS, sweepIntervalMs: Math.max(env.SWEEP_INTERVAL_MS, 100), lockDurationMs: env.JOB_LOCK_MS };
}

export function notifierConfigFrom(env: Env): NotifierConfig {
  if (env.NOTIFIER === 'webhook') return { kind: 'webhook', url: env.NOTIFY_WEBHOOK_URL!, secret: env.NOTIFY_WEBHOOK_SECRET! };
  if (env.NOTIFIER === 'fcm') return { kind: 'fcm', ...(env.FIREBASE_PROJECT_ID ? { projectId: env.FIREBASE_PROJECT_ID } : {}) };
  return { kind: 'outbox' };
}

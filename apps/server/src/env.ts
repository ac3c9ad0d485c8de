import { z } from 'zod';

const int = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);

/** The one reader of `process.env`. Defaults follow `shared/spec/api.md`. */
export const envSchema = z.object({
  PORT: int(3001),
  HOST: z.string().default('0.0.0.0'),
  AUTH_MODE: z.enum(['dev', 'jwt', 'firebase']).default('jwt'),
  JWT_SECRET: z.preprocess(blankIsUnset, z.string().min(16, 'JWT_SECRET: at least 16 characters').optional()),
  JWT_PUBLIC_KEY: z.preprocess(blankIsUnset, z.string().optional()),
  SERVICE_TOKEN: z.preprocess(blankIsUnset, z.string().min(16, 'SERVICE_TOKEN: at least 16 characters').optional()),
  STORE: z.enum(['pglite', 'postgres', 'firestore']).default('pglite'),
  DATA_DIR: z.string().default('.data/'),
  DATABASE_URL: z.preprocess(blankIsUnset, z.string().optional()),
  // STORE=firestore and AUTH_MODE=firebase. Google's libraries read GOOGLE_APPLICATION_CREDENTIALS,
  // GOOGLE_CLOUD_PROJECT and FIREBASE_AUTH_EMULATOR_HOST from the environment themselves.
  FIREBASE_PROJECT_ID: z.preprocess(blankIsUnset, z.string().optional()),
  FIRESTORE_DATABASE_ID: z.preprocess(blankIsUnset, z.string().optional()),
  /** `host:port` of a Firestore emulator. */
  FIRESTORE_EMULATOR_HOST: z.preprocess(blankIsUnset, z.string().optional()),
  /** `memory://` runs the roles in process: one instance only (tests, embedding). */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  PING_INTERVAL_MS: int(30_000).pipe(z.number().min(100)),
  PONG_WAIT_MS: int(10_000),
  SESSION_IDLE_TIMEOUT_MS: int(10_800_000),
  SWEEP_INTERVAL_MS: int(60_000),
  NOTIFY_DELAY_MS: int(5_000),
  RATE_SEND_PER_SEC: int(10),
  RATE_SEND_BURST: int(20),
  RATE_TYPING_PER_SEC: int(5),
  RATE_TYPING_BURST: int(10),
  // wsLink batches requests issued in the same tick into one frame: leave room for many sends.
  MAX_PAYLOAD_BYTES: int(1024 * 1024),
  /** A dead instance's users go offline after this (and ≤ 60 s by contract). */
  PRESENCE_TTL_MS: int(30_000).pipe(z.number().min(300).max(60_000)),
  TYPING_TIMEOUT_MS: int(6_000).pipe(z.number().min(100)),
  INSTANCE_ID: z.preprocess(blankIsUnset, z.string().optional()),
  /** `1`: this server also runs the job workers; `0`: they run elsewhere (`pnpm worker`). */
  WORKERS: z.enum(['0', '1']).default('1'),
  NOTIFIER: z.enum(['outbox', 'webhook', 'fcm']).default('outbox'),
  NOTIFY_WEBHOOK_URL: z.preprocess(blankIsUnset, z.url({ protocol: /^https?$/ }).optional()),
  NOTIFY_WEBHOOK_SECRET: z.preprocess(blankIsUnset, z.string().min(16, 'NOTIFY_WEBHOOK_SECRET: at least 16 characters').optional()),
  /** A job whose worker died runs again after this (BullMQ lock and stalled-check period). */
  JOB_LOCK_MS: int(30_000).pipe(z.number().min(500)),
  /** `pnpm worker`'s `/healthz` and `/metrics` (0: a free port). */
  WORKER_PORT: int(3002),
  LOG_LEVEL: z.enum(['info', 'warn', 'error', 'silent']).default('info'),
}).superRefine((env, ctx) => {
  if (env.NOTIFIER !== 'webhook') return;
  for (const key of ['NOTIFY_WEBHOOK_URL', 'NOTIFY_WEBHOOK_SECRET'] as const) {
    if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required with NOTIFIER=webhook' });
  }
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`invalid configuration:\n  ${problems}`);
  }
  return parsed.data;
}

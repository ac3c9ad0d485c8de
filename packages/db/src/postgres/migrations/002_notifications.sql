-- Push tokens. The token is the key: a device (its token) belongs to one user at a time, the last
-- one to register it.
create table devices (
  token text collate "C" primary key,
  user_id text collate "C" not null references users (id),
  platform text not null check (platform in ('android', 'ios', 'web')),
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create index devices_by_user on devices (user_id, updated_at desc, token desc);

-- The outbox of offline notifications (NOTIFIER=outbox). The message is joined from `messages`, not
-- copied: messages never change. The unique key is what makes addNotification idempotent.
create table notifications (
  id text collate "C" primary key,
  recipient_id text collate "C" not null references users (id),
  message_id text collate "C" not null references messages (id),
  created_at timestamptz not null default clock_timestamp(),
  unique (message_id, recipient_id)
);

create index notifications_by_recipient on notifications (recipient_id, created_at desc, id desc);

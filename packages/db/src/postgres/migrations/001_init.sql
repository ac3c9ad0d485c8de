-- Ids are text in the "C" collation: byte order, the same on every server whatever its locale,
-- so paging by id and ordering of stream reads do not depend on the deployment.

create table users (
  id text collate "C" primary key,
  display_name text not null,
  status text not null default 'online' check (status in ('online', 'away', 'busy', 'offline')),
  status_text text,
  last_seen_at timestamptz,
  is_signed_in boolean not null default true,
  last_sign_out_at timestamptz,
  created_at timestamptz not null default clock_timestamp(),
  updated_at timestamptz not null default clock_timestamp()
);

create function set_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := clock_timestamp();
  return new;
end
$$;

create trigger users_updated_at before update on users for each row execute function set_updated_at();

create table sessions (
  id text collate "C" primary key,
  user_id text collate "C" not null references users (id),
  is_active boolean not null default true,
  created_at timestamptz not null default clock_timestamp(),
  last_heartbeat_at timestamptz not null default clock_timestamp(),
  signed_out_at timestamptz
);

create index sessions_idle on sessions (is_active, last_heartbeat_at);
create index sessions_active_of_user on sessions (user_id) where is_active;

-- last_seq and last_rseq are the per-conversation counters: bumping them locks the row, which is
-- what makes message and receipt positions gapless under concurrent writers.
create table conversations (
  id text collate "C" primary key,
  title text,
  created_at timestamptz not null default clock_timestamp(),
  last_seq bigint not null default 0,
  last_rseq bigint not null default 0,
  last_message_id text collate "C",
  last_message_at timestamptz,
  active_at timestamptz not null generated always as (coalesce(last_message_at, created_at)) stored
);

create table members (
  conversation_id text collate "C" not null references conversations (id),
  user_id text collate "C" not null references users (id),
  delivered_seq bigint not null default 0,
  read_seq bigint not null default 0,
  joined_at timestamptz not null default clock_timestamp(),
  primary key (conversation_id, user_id),
  check (read_seq <= delivered_seq)
);

create index members_by_user on members (user_id);

create table messages (
  conversation_id text collate "C" not null references conversations (id),
  seq bigint not null,
  id text collate "C" not null unique,
  sender_id text collate "C" not null references users (id),
  client_message_id text not null,
  body text not null,
  created_at timestamptz not null,
  primary key (conversation_id, seq)
);

create unique index messages_idempotency on messages (conversation_id, sender_id, client_message_id);
create index messages_by_time on messages (conversation_id, created_at);

create table receipts (
  conversation_id text collate "C" not null references conversations (id),
  rseq bigint not null,
  message_id text collate "C" not null references messages (id),
  seq bigint not null,
  updated_by text collate "C" not null references users (id),
  old_status text not null check (old_status in ('sent', 'delivered')),
  new_status text not null check (new_status in ('delivered', 'read')),
  created_at timestamptz not null,
  primary key (conversation_id, rseq)
);

create index receipts_by_time on receipts (conversation_id, created_at);

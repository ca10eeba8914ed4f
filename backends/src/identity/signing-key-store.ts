import { type SecretBox, TokenService } from '@valueverse/kernel';
import type { Database } from '@valueverse/kernel';

/**
 * The JWT signing key lives in the database, sealed with the encryption key, so every host instance signs and
 * verifies with the same key. The first instance to boot creates it; `on conflict do nothing` makes concurrent
 * first boots agree on one key.
 */
export async function loadOrCreateSigningKey(database: Database, secrets: SecretBox): Promise<Record<string, unknown>> {
  await database.execute('create table if not exists kernel.signing_keys (id text primary key, sealed_jwk text not null, created_at timestamptz not null default now())');
  const candidate = secrets.seal(JSON.stringify(await TokenService.generatePrivateJwk()));
  await database.execute("insert into kernel.signing_keys (id, sealed_jwk) values ('current', $1) on conflict (id) do nothing", [candidate]);
  const [row] = await database.execute<{ sealed_jwk: string }>("select sealed_jwk from kernel.signing_keys where id = 'current'");
  return JSON.parse(secrets.open(row!.sealed_jwk)) as Record<string, unknown>;
}

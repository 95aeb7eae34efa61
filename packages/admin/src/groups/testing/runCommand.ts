import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runConsumerGroupCommand, type ConsumerGroupCommandDeps } from '../ConsumerGroupCommand';
import type { FakeGroupAdmin } from './FakeGroupAdmin';

export const BOOTSTRAP = ['--bootstrap-server', 'localhost:9092'];

export interface CommandRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  /** The bootstrap servers and timeout the admin was created with, if it was. */
  readonly created: { bootstrapServer: string; timeoutMs: number } | undefined;
}

/** Runs kafka-consumer-groups against the fake (with the bootstrap option unless `bare`). */
export async function runCommand(
  args: readonly string[],
  admin: FakeGroupAdmin,
  deps: Omit<ConsumerGroupCommandDeps, 'createAdmin'> & { bare?: boolean } = {},
): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  let created: CommandRun['created'];
  const code = await runConsumerGroupCommand(
    deps.bare ? args : [...BOOTSTRAP, ...args],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      nowMs: () => Date.UTC(2024, 0, 2, 3, 4, 5, 678),
      ...deps,
      createAdmin: (bootstrapServer, timeoutMs) => {
        created = { bootstrapServer, timeoutMs };
        return admin;
      },
    },
  );
  return { code, out, err, created };
}

/** The sections of src/fixtures/consumer-groups-formats.txt: "<command> (stdout|stderr)" → lines. */
export function formatFixture(): Map<string, string[]> {
  const text = readFileSync(
    path.join(__dirname, '..', '..', 'fixtures', 'consumer-groups-formats.txt'),
    'utf8',
  );
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.startsWith('## ')) {
      current = [];
      sections.set(line.slice(3), current);
    } else if (current !== undefined) current.push(line);
  }
  return sections;
}

/**
 * The package dependency rules (dependency-rules.js, docs/architecture.md "Rules") are enforced by
 * machine: ESLint refuses an import the wrong way, and every package.json and tsconfig.json agrees
 * with the table. These tests prove the lint really fails on wrong imports, so a rule that silently
 * stopped matching would show here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');
const { ALLOWED_DEPENDENCIES, PACKAGES } = require(path.join(ROOT, 'dependency-rules.js')) as {
  ALLOWED_DEPENDENCIES: Record<string, string[]>;
  PACKAGES: string[];
};

// The repository's own eslint.config.js, handed over as an object: ESLint would load the file with a
// dynamic import, which Jest's module system does not run.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: require(path.join(ROOT, 'eslint.config.js')),
});

/** The no-restricted-imports messages ESLint gives `code` as if it were the file at `file`. */
async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

function readJson(file: string): { dependencies?: Record<string, string>; references?: { path: string }[] } {
  return JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
}

describe('package dependency rules', () => {
  test('theTableNamesEveryWorkspacePackage', () => {
    const onDisk = fs
      .readdirSync(path.join(ROOT, 'packages'))
      .filter((d) => fs.existsSync(path.join(ROOT, 'packages', d, 'package.json')));
    expect([...PACKAGES].sort()).toEqual(onDisk.sort());
  });

  test('theGraphHasNoCycle', () => {
    const done = new Set<string>();
    const visit = (p: string, stack: string[]): void => {
      if (stack.includes(p)) throw new Error(`cycle: ${[...stack, p].join(' → ')}`);
      if (done.has(p)) return;
      for (const d of ALLOWED_DEPENDENCIES[p]!) visit(d, [...stack, p]);
      done.add(p);
    };
    for (const p of PACKAGES) visit(p, []);
    expect(done.size).toBe(PACKAGES.length);
  });

  test.each(PACKAGES)('%s: package.json and tsconfig references stay inside the allowed set', (pkg) => {
    const allowed = new Set(ALLOWED_DEPENDENCIES[pkg]);
    const deps = Object.keys(readJson(`packages/${pkg}/package.json`).dependencies ?? {})
      .filter((d) => d.startsWith('@samsa/'))
      .map((d) => d.slice('@samsa/'.length));
    expect(deps.filter((d) => !allowed.has(d))).toEqual([]);
    const tsconfig = readJson(`packages/${pkg}/tsconfig.json`);
    const refs = (tsconfig.references ?? [])
      .map((r) => path.basename(r.path))
      .filter((r) => PACKAGES.includes(r));
    expect(refs.filter((r) => !allowed.has(r))).toEqual([]);
  });

  test('anImportTheWrongWayFailsTheLint', async () => {
    // zk is below the broker; the broker is below no tool; the coordinator does not know the broker.
    expect(
      await restrictedImports(
        'packages/zk/src/Probe.ts',
        "import { KafkaServer } from '@samsa/broker';\nexport const x = KafkaServer;\n",
      ),
    ).toEqual([expect.stringContaining('@samsa/zk may import only @samsa/common, @samsa/protocol')]);
    expect(
      await restrictedImports(
        'packages/broker/src/api/Probe.ts',
        "import { runTopicCommand } from '@samsa/admin';\nexport const x = runTopicCommand;\n",
      ),
    ).toHaveLength(1);
    expect(
      await restrictedImports(
        'packages/coordinator/src/group/Probe.ts',
        "import type { ReplicaManager } from '@samsa/broker';\nexport type X = ReplicaManager;\n",
      ),
    ).toHaveLength(1);
    expect(
      await restrictedImports(
        'packages/storage/src/Probe.ts',
        "import { KafkaZkClient } from '@samsa/zk';\nexport const x = KafkaZkClient;\n",
      ),
    ).toHaveLength(1);
  });

  test('reachingIntoAnotherPackageOrIntoTestsFailsTheLint', async () => {
    expect(
      await restrictedImports(
        'packages/broker/src/server/Probe.ts',
        "import { x } from '../../../controller/src/KafkaController';\nexport const y = x;\n",
      ),
    ).toEqual([expect.stringContaining('by its name')]);
    expect(
      await restrictedImports(
        'packages/cluster/src/Probe.ts',
        "import { x } from '../../../tests/harness/broker';\nexport const y = x;\n",
      ),
    ).toEqual([expect.stringContaining('never imports test code')]);
    expect(
      await restrictedImports(
        'scripts/probe.ts',
        "import { x } from '../tests/harness/broker';\nexport const y = x;\n",
      ),
    ).toHaveLength(1);
  });

  test('allowedImportsPass', async () => {
    expect(
      await restrictedImports(
        'packages/broker/src/server/Probe.ts',
        "import { KafkaController } from '@samsa/controller';\nimport { ReplicaManager } from '../replica/ReplicaManager';\nexport const x = [KafkaController, ReplicaManager];\n",
      ),
    ).toEqual([]);
    // Test code may use another package's testing helpers.
    expect(
      await restrictedImports(
        'packages/broker/src/api/probe.test.ts',
        "import { x } from '../../../coordinator/src/group/testing/coordinatorHarness';\nexport const y = x;\n",
      ),
    ).toEqual([]);
  });
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { load, loadAll } from 'js-yaml';

/** Paths and small readers for the deploy checks (docker/, deploy/, .dockerignore). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ENTRYPOINT = path.join(REPO_ROOT, 'docker', 'entrypoint.sh');
export const DOCKERFILE = path.join(REPO_ROOT, 'docker', 'Dockerfile');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'deploy', 'docker-compose.yml');
export const K8S_DIR = path.join(REPO_ROOT, 'deploy', 'k8s');

export type Yaml = Record<string, any>;

export function readYaml(file: string): Yaml {
  return load(fs.readFileSync(file, 'utf8')) as Yaml;
}

/** Every document of every .yaml file under deploy/k8s, with the file it came from. */
export function readK8sManifests(): Array<{ file: string; doc: Yaml }> {
  return fs
    .readdirSync(K8S_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .flatMap((file) =>
      loadAll(fs.readFileSync(path.join(K8S_DIR, file), 'utf8'))
        .filter((doc) => doc !== null && doc !== undefined)
        .map((doc) => ({ file, doc: doc as Yaml })),
    );
}

export interface EntrypointRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs docker/entrypoint.sh on this machine (no Docker) with only PATH and `env` set; the built
 * broker package (npx tsc -b) provides the node scripts it calls.
 */
export function runEntrypoint(
  env: Record<string, string>,
  args: string[] = ['--print-properties'],
): EntrypointRun {
  const r = spawnSync(ENTRYPOINT, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `key=value` lines as a map (the entrypoint prints plain lines for the values used here). */
export function propertiesOf(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

/** The first compose command that answers `version` here, or undefined. */
export function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(command[0], [...command.slice(1), 'version'], { encoding: 'utf8', timeout: 15_000 });
    if (r.status === 0) return command;
  }
  return undefined;
}

/** The SASL_SSL override of the compose file, and the script that makes its TLS material. */
export const SASL_SSL_COMPOSE_FILE = path.join(REPO_ROOT, 'deploy', 'docker-compose.sasl-ssl.yml');
export const MAKE_TLS = path.join(REPO_ROOT, 'docker', 'make-tls.sh');

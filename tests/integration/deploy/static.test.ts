import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  COMPOSE_FILE,
  composeCommand,
  DOCKERFILE,
  ENTRYPOINT,
  K8S_DIR,
  MAKE_TLS,
  propertiesOf,
  readK8sManifests,
  readYaml,
  REPO_ROOT,
  runEntrypoint,
  SASL_SSL_COMPOSE_FILE,
  type Yaml,
} from './support';

/**
 * The deploy files checked without Docker or Kubernetes: the Dockerfile's stages and user, the
 * compose file's services, listeners, ports and volumes, the Kubernetes manifests against the
 * fields their kinds need and against each other, and the image's entrypoint (run here) turning
 * KAFKA_* variables into server.properties. `docker compose config` runs where a compose binary is.
 */
jest.setTimeout(120_000);

const ZK = 'zookeeper:2181';

describe('docker/Dockerfile', () => {
  const text = fs.readFileSync(DOCKERFILE, 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Array<{ name: string; lines: string[] }> = [];
  for (const line of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ name: from[2] ?? '', lines: [] });
    else stages[stages.length - 1]?.lines.push(line);
  }
  const [build, runtime] = stages;

  test('twoStagesOnNode20BookwormSlim', () => {
    expect(instructions).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(instructions.filter((l) => l.startsWith('FROM'))).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
  });

  test('theBuildStageInstallsCompilesAndPrunes', () => {
    const run = build.lines.filter((l) => l.startsWith('RUN')).join('\n');
    const at = (s: string) => run.indexOf(s);
    expect(at('npm ci')).toBeGreaterThan(-1);
    expect(at('npx tsc -b')).toBeGreaterThan(at('npm ci'));
    expect(at('npm prune --omit=dev')).toBeGreaterThan(at('npx tsc -b'));
  });

  test('everyWorkspaceManifestIsCopiedBeforeNpmCi', () => {
    const workspaces: string[] = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'),
    ).workspaces;
    const dirs = workspaces.flatMap((w) =>
      w.endsWith('/*')
        ? fs
            .readdirSync(path.join(REPO_ROOT, w.slice(0, -2)))
            .map((d) => `${w.slice(0, -2)}/${d}`)
            .filter((d) => fs.existsSync(path.join(REPO_ROOT, d, 'package.json')))
        : [w],
    );
    expect(dirs.length).toBeGreaterThan(5);
    const npmCi = build.lines.findIndex((l) => l.startsWith('RUN npm ci'));
    const copies = build.lines.slice(0, npmCi).filter((l) => l.startsWith('COPY'));
    for (const dir of dirs) expect(copies).toContain(`COPY ${dir}/package.json ${dir}/`);
    expect(copies).toContain('COPY package.json package-lock.json ./');
  });

  test('theRuntimeRunsTheEntrypointAsANonRootUser', () => {
    const user = runtime.lines.filter((l) => l.startsWith('USER')).pop();
    expect(user).toBe('USER samsa:samsa');
    expect(
      runtime.lines.some((l) => l.startsWith('RUN') && l.includes('useradd') && l.includes('samsa')),
    ).toBe(true);
    expect(runtime.lines).toContain('ENTRYPOINT ["/app/docker/entrypoint.sh"]');
    expect(runtime.lines).toContain('COPY docker/entrypoint.sh docker/entrypoint.sh');
    expect(runtime.lines).toContain('VOLUME ["/var/lib/samsa/data"]');
    expect(runtime.lines.filter((l) => l.startsWith('COPY --from=build'))).toHaveLength(3);
    expect(fs.statSync(ENTRYPOINT).mode & 0o111).toBe(0o111);
  });

  test('dockerignoreKeepsWhatTheImageCopies', () => {
    const patterns = fs
      .readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(patterns).toEqual(
      expect.arrayContaining(['**/node_modules', '**/dist', 'tests', '!tests/package.json']),
    );
    expect(patterns.indexOf('!tests/package.json')).toBeGreaterThan(patterns.indexOf('tests'));
    const copiedFromContext = [
      'bin',
      'docker',
      'packages',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
    ];
    for (const p of patterns) {
      if (p.startsWith('!')) continue;
      for (const needed of copiedFromContext) expect([p, p.replace(/\/\*\*$/, '')]).not.toContain(needed);
    }
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = readYaml(COMPOSE_FILE);
  const brokers = [1, 2, 3].map((n) => ({ n, service: compose.services[`broker-${n}`] as Yaml }));

  test('zooKeeperThreeBrokersAndTheDashboard', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['broker-1', 'broker-2', 'broker-3', 'dashboard', 'zookeeper']);
    expect(compose.services.zookeeper.image).toMatch(/^zookeeper:3\./);
    const dashboard = compose.services.dashboard;
    expect(dashboard.image).toBe(compose.services['broker-1'].image);
    expect(dashboard.ports).toEqual(['8080:8080']);
    const script = (dashboard.entrypoint as string[])[1];
    expect(fs.existsSync(path.join(REPO_ROOT, script.replace(/^\/app\//, '').replace('/dist/', '/src/').replace(/\.js$/, '.ts')))).toBe(true);
    const args = dashboard.command as string[];
    expect(args[args.indexOf('--zookeeper') + 1]).toBe(ZK);
    expect(args[args.indexOf('--bootstrap-server') + 1]).toBe('broker-1:29092,broker-2:29092,broker-3:29092');
  });

  test.each([1, 2, 3])('broker-%i is built from the Dockerfile and waits for ZooKeeper', (n) => {
    const service = compose.services[`broker-${n}`];
    expect(path.resolve(path.dirname(COMPOSE_FILE), service.build.context, service.build.dockerfile)).toBe(
      DOCKERFILE,
    );
    expect(service.depends_on.zookeeper.condition).toBe('service_healthy');
    expect(service.hostname).toBe(`broker-${n}`);
  });

  test.each([1, 2, 3])('broker-%i has an internal and an external listener, the latter published', (n) => {
    const env = brokers[n - 1].service.environment as Record<string, string>;
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    expect(env.KAFKA_BROKER_ID).toBe(String(n));
    expect(env.KAFKA_ZOOKEEPER_CONNECT).toBe(ZK);
    expect(env.KAFKA_LISTENERS).toBe(`INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:909${n}`);
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(`INTERNAL://broker-${n}:29092,EXTERNAL://localhost:909${n}`);
    expect(env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('INTERNAL');
    const names = env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.split(',').map((e) => e.split(':')[0]);
    expect(names.sort()).toEqual(['EXTERNAL', 'INTERNAL']);
    expect(brokers[n - 1].service.ports).toEqual([`909${n}:909${n}`]);
  });

  test('eachBrokerHasItsOwnDeclaredVolume', () => {
    const mounts = brokers.map(({ service }) => service.volumes as string[]);
    expect(mounts).toEqual([1, 2, 3].map((n) => [`broker-${n}-data:/var/lib/samsa/data`]));
    for (const n of [1, 2, 3]) expect(Object.keys(compose.volumes)).toContain(`broker-${n}-data`);
    const zkHost = brokers[0].service.environment.KAFKA_ZOOKEEPER_CONNECT.split(':')[0];
    expect(compose.services[zkHost]).toBeDefined();
  });

  test.each([1, 2, 3])('the entrypoint understands every variable of broker-%i', (n) => {
    const r = runEntrypoint(brokers[n - 1].service.environment);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(Object.fromEntries(propertiesOf(r.stdout))).toEqual({
      'advertised.listeners': `INTERNAL://broker-${n}:29092,EXTERNAL://localhost:909${n}`,
      'broker.id': String(n),
      'default.replication.factor': '3',
      'group.initial.rebalance.delay.ms': '0',
      'inter.broker.listener.name': 'INTERNAL',
      'jmx.port': '9999',
      'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
      listeners: `INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:909${n}`,
      'log.dirs': '/var/lib/samsa/data',
      'min.insync.replicas': '2',
      'offsets.topic.replication.factor': '3',
      'samsa.metrics.http.host': '0.0.0.0',
      'zookeeper.connect': ZK,
    });
  });

  // Only where a compose binary exists (it needs no Docker engine for `config`).
  const composeCli = composeCommand();
  if (composeCli === undefined)
    console.log(
      'docker compose config: skipped, neither `docker compose` nor `docker-compose` runs on this machine',
    );
  (composeCli === undefined ? test.skip : test)('dockerComposeConfigAcceptsTheFile', () => {
    const r = spawnSync(composeCli![0], [...composeCli!.slice(1), '-f', COMPOSE_FILE, 'config', '--quiet'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('deploy/k8s', () => {
  const manifests = readK8sManifests();
  const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  const services = ofKind('Service');
  const statefulSets = ofKind('StatefulSet');
  const configMaps = ofKind('ConfigMap');
  const labelsMatch = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);

  test('everyDocumentHasItsKindsRequiredFields', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(7);
    const apiVersions: Record<string, string> = { ConfigMap: 'v1', Service: 'v1', StatefulSet: 'apps/v1' };
    for (const { file, doc } of manifests) {
      expect({ file, apiVersion: doc.apiVersion }).toEqual({ file, apiVersion: apiVersions[doc.kind] });
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (doc.kind !== 'ConfigMap') expect(doc.spec).toBeDefined();
    }
    for (const kind of Object.keys(apiVersions)) {
      const names = ofKind(kind).map((d) => d.metadata.name);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(statefulSets.map((s) => s.metadata.name).sort()).toEqual(['samsa-broker', 'zookeeper']);
  });

  test('statefulSetsSelectTheirPodsAndNameAHeadlessService', () => {
    for (const set of statefulSets) {
      const { selector, template, serviceName } = set.spec;
      expect(labelsMatch(selector.matchLabels, template.metadata.labels)).toBe(true);
      const headless = services.find((s) => s.metadata.name === serviceName);
      expect({ set: set.metadata.name, clusterIP: headless?.spec.clusterIP }).toEqual({
        set: set.metadata.name,
        clusterIP: 'None',
      });
      expect(labelsMatch(headless!.spec.selector, template.metadata.labels)).toBe(true);
      const claims = (set.spec.volumeClaimTemplates ?? []).map((c: Yaml) => c.metadata.name);
      const podVolumes = (template.spec.volumes ?? []).map((v: Yaml) => v.name);
      for (const container of template.spec.containers)
        for (const mount of container.volumeMounts ?? [])
          expect([...claims, ...podVolumes]).toContain(mount.name);
      for (const claim of set.spec.volumeClaimTemplates ?? []) {
        expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
        expect(claim.spec.resources.requests.storage).toMatch(/^\d+Gi$/);
      }
    }
  });

  test('servicesSelectPodsAndTargetTheirPorts', () => {
    for (const service of services) {
      const pods = statefulSets.filter((s) =>
        labelsMatch(service.spec.selector, s.spec.template.metadata.labels),
      );
      expect({ service: service.metadata.name, pods: pods.length }).toEqual({
        service: service.metadata.name,
        pods: 1,
      });
      const containerPorts: Yaml[] = pods[0].spec.template.spec.containers.flatMap(
        (c: Yaml) => c.ports ?? [],
      );
      for (const port of service.spec.ports) {
        const target = containerPorts.find(
          (p) => p.name === port.targetPort || p.containerPort === port.targetPort,
        );
        expect({ service: service.metadata.name, port: port.port, target: target?.containerPort }).toEqual({
          service: service.metadata.name,
          port: port.port,
          target: port.port,
        });
      }
    }
  });

  test('theBrokersAreThreeWithIdsFromOrdinalsAndPodDnsNames', () => {
    const broker = statefulSets.find((s) => s.metadata.name === 'samsa-broker')!;
    expect(broker.spec.replicas).toBe(3);
    const container = broker.spec.template.spec.containers[0];
    expect(broker.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const env: Yaml[] = container.env;
    const index = (name: string) => env.findIndex((e) => e.name === name);
    expect(env[index('POD_NAME')].valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(env[index('POD_NAMESPACE')].valueFrom.fieldRef.fieldPath).toBe('metadata.namespace');
    expect(env[index('SAMSA_BROKER_ID_FROM_HOSTNAME')].value).toBe('true');
    const advertised = env[index('KAFKA_ADVERTISED_LISTENERS')];
    expect(advertised.value).toBe(
      `PLAINTEXT://$(POD_NAME).${broker.spec.serviceName}.$(POD_NAMESPACE).svc.cluster.local:9092`,
    );
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    expect(index('KAFKA_ADVERTISED_LISTENERS')).toBeGreaterThan(
      Math.max(index('POD_NAME'), index('POD_NAMESPACE')),
    );
    const kafkaPort = container.ports.find((p: Yaml) => p.name === 'kafka').containerPort;
    expect(advertised.value.endsWith(`:${kafkaPort}`)).toBe(true);
    const mount = container.volumeMounts.find((m: Yaml) => m.name === 'data');
    expect(mount.mountPath).toBe('/var/lib/samsa/data');
  });

  test('theConfigMapPointsAtZooKeeperAndIsUsedByTheBrokers', () => {
    const [config] = configMaps;
    const broker = statefulSets.find((s) => s.metadata.name === 'samsa-broker')!;
    expect(broker.spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: config.metadata.name } },
    ]);
    const [host, port] = config.data.KAFKA_ZOOKEEPER_CONNECT.split(':');
    const zkService = services.find((s) => s.metadata.name === host)!;
    expect(zkService.spec.clusterIP).toBeUndefined();
    expect(zkService.spec.ports.map((p: Yaml) => p.port)).toContain(Number(port));
    expect(config.data.KAFKA_LISTENERS).toBe('PLAINTEXT://0.0.0.0:9092');
    for (const value of Object.values(config.data)) expect(typeof value).toBe('string');
  });

  test('theEntrypointTurnsAPodsEnvironmentIntoItsProperties', () => {
    const [config] = configMaps;
    const broker = statefulSets.find((s) => s.metadata.name === 'samsa-broker')!;
    const podName = 'samsa-broker-2';
    const env: Record<string, string> = {
      ...config.data,
      HOSTNAME: podName,
      POD_NAME: podName,
      POD_NAMESPACE: 'prod',
    };
    for (const e of broker.spec.template.spec.containers[0].env as Yaml[])
      if (e.value !== undefined)
        env[e.name] = e.value.replace(/\$\((\w+)\)/g, (_m: string, v: string) => env[v]);
    const r = runEntrypoint(env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const props = propertiesOf(r.stdout);
    expect(props.get('broker.id')).toBe('2');
    expect(props.get('advertised.listeners')).toBe(
      'PLAINTEXT://samsa-broker-2.samsa-broker-headless.prod.svc.cluster.local:9092',
    );
    expect(props.get('zookeeper.connect')).toBe(ZK);
  });
});

describe('docker/entrypoint.sh', () => {
  const base = { KAFKA_ZOOKEEPER_CONNECT: ZK };

  test('printsOneLinePerVariableInNameOrderWithoutLauncherVariables', () => {
    const r = runEntrypoint({
      ...base,
      KAFKA_BROKER_ID: '4',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT',
      KAFKA_HEAP_OPTS: '-Xmx1g',
      KAFKA_OPTS: '-Dx=y',
      OTHER: 'ignored',
    });
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'broker.id=4',
        'listeners=PLAINTEXT://0.0.0.0:9092',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT',
        'log.dirs=/var/lib/samsa/data',
        `zookeeper.connect=${ZK}`,
        '',
      ].join('\n'),
    });
  });

  test('mapsDoubleAndTripleUnderscoresByConfluentsRule', () => {
    const r = runEntrypoint({ ...base, KAFKA_SOME__ODD___NAME: 'x' });
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "ERROR: unknown configuration 'some_odd-name' (environment variable KAFKA_SOME__ODD___NAME)\n",
    });
  });

  test('refusesABadValueAsTheBrokerWould', () => {
    const r = runEntrypoint({ ...base, KAFKA_NUM_PARTITIONS: 'many' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ERROR: invalid value for 'num.partitions' \(environment variable KAFKA_NUM_PARTITIONS\)/,
    );
  });

  test('needsZooKeeper', () => {
    expect(runEntrypoint({ KAFKA_BROKER_ID: '1' })).toMatchObject({
      code: 1,
      stderr:
        'ERROR: KAFKA_ZOOKEEPER_CONNECT is required (the ZooKeeper connect string host:port[/chroot])\n',
    });
  });

  test('logDirsDefaultToTheVolumeUnlessSet', () => {
    expect(propertiesOf(runEntrypoint({ ...base, KAFKA_LOG_DIRS: '/a,/b' }).stdout).get('log.dirs')).toBe(
      '/a,/b',
    );
  });

  test('brokerIdFromTheHostNamesOrdinal', () => {
    const id = (env: Record<string, string>) =>
      propertiesOf(runEntrypoint({ ...base, ...env }).stdout).get('broker.id');
    expect(id({ SAMSA_BROKER_ID_FROM_HOSTNAME: 'true', HOSTNAME: 'samsa-broker-12' })).toBe('12');
    expect(
      id({ SAMSA_BROKER_ID_FROM_HOSTNAME: 'true', HOSTNAME: 'samsa-broker-12', KAFKA_BROKER_ID: '5' }),
    ).toBe('5');
    expect(id({ HOSTNAME: 'samsa-broker-12' })).toBeUndefined();
    expect(
      runEntrypoint({ ...base, SAMSA_BROKER_ID_FROM_HOSTNAME: 'true', HOSTNAME: 'broker' }),
    ).toMatchObject({
      code: 1,
      stderr:
        "ERROR: SAMSA_BROKER_ID_FROM_HOSTNAME is set but host name 'broker' does not end in -<number>\n",
    });
  });

  test('writesServerPropertiesAndStartsTheBrokerOnItWithTheArguments', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-entrypoint-'));
    try {
      const env = { ...base, KAFKA_BROKER_ID: '3', SAMSA_CONFIG_DIR: path.join(dir, 'conf') };
      const printed = runEntrypoint(env).stdout;
      // The broker refuses the override at once: proof that it ran with the arguments, on the file.
      const r = runEntrypoint(env, ['--override', 'no.such.key=1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("ERROR: unknown configuration 'no.such.key' (--override no.such.key=1)\n");
      expect(fs.readFileSync(path.join(dir, 'conf', 'server.properties'), 'utf8')).toBe(printed);
      expect(r.stdout).toContain(printed);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bin/samsa-node-options.sh', () => {
  // Node refuses an unknown option before running anything: proof that a launcher passed it on.
  const bogus = { SAMSA_NODE_PERFORMANCE_OPTS: '--no-such-node-option-for-samsa' };

  test('theEntrypointStartsNodeWithTheBrokerOptions', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-entrypoint-'));
    try {
      const env = { KAFKA_ZOOKEEPER_CONNECT: ZK, KAFKA_BROKER_ID: '1', SAMSA_CONFIG_DIR: path.join(dir, 'conf') };
      const r = runEntrypoint({ ...env, ...bogus }, ['--override', 'no.such.key=1']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('--no-such-node-option-for-samsa');
      // With the defaults node starts and the broker itself answers (refusing the override).
      const ok = runEntrypoint(env, ['--override', 'no.such.key=1']);
      expect(ok.stderr).toBe("ERROR: unknown configuration 'no.such.key' (--override no.such.key=1)\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('kafkaServerStartPassesThemToo', () => {
    const script = path.join(REPO_ROOT, 'bin', 'kafka-server-start.sh');
    const run = (env: Record<string, string>) =>
      spawnSync(script, ['/nonexistent/server.properties'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    const bad = run(bogus);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--no-such-node-option-for-samsa');
    const ok = run({});
    expect(ok.status).toBe(1);
    expect(ok.stderr).not.toContain('bad option');
  });
});

describe('deploy/docker-compose.sasl-ssl.yml (a SASL_SSL listener on every broker)', () => {
  const base = readYaml(COMPOSE_FILE);
  const secure = readYaml(SASL_SSL_COMPOSE_FILE);

  test('aOneShotServiceMakesTheTlsMaterialAndTheScramAdminBeforeTheBrokersStart', () => {
    const init = secure.services['security-init'];
    expect(init.image).toBe(base.services['broker-1'].image);
    expect(init.depends_on.zookeeper.condition).toBe('service_healthy');
    const script = (init.command as string[]).join(' ');
    expect(script).toMatch(/^\/app\/docker\/make-tls\.sh \/etc\/samsa\/tls broker-1 broker-2 broker-3 && /);
    expect(script).toContain('/app/bin/kafka-configs.sh --zookeeper zookeeper:2181 --alter --entity-type users --entity-name admin');
    expect(init.volumes).toEqual(['tls:/etc/samsa/tls']);
    expect(Object.keys(secure.volumes)).toEqual(['tls']);
    for (const n of [1, 2, 3]) {
      const broker = secure.services[`broker-${n}`];
      expect(broker.depends_on['security-init'].condition).toBe('service_completed_successfully');
      expect(broker.volumes).toEqual(['tls:/etc/samsa/tls:ro']);
    }
  });

  test.each([1, 2, 3])('broker-%i: its merged variables pass the entrypoint and add the SECURE listener', (n) => {
    const service = secure.services[`broker-${n}`];
    const env = { ...base.services[`broker-${n}`].environment, ...service.environment } as Record<string, string>;
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    const r = runEntrypoint(env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const props = propertiesOf(r.stdout);
    expect(props.get('listeners')).toBe(`INTERNAL://0.0.0.0:29092,EXTERNAL://0.0.0.0:909${n},SECURE://0.0.0.0:919${n}`);
    expect(props.get('advertised.listeners')).toBe(
      `INTERNAL://broker-${n}:29092,EXTERNAL://localhost:909${n},SECURE://localhost:919${n}`,
    );
    expect(props.get('listener.security.protocol.map')).toBe('INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,SECURE:SASL_SSL');
    expect(props.get('listener.name.secure.scram-sha-512.sasl.jaas.config')).toBe(
      'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    );
    expect(props.get('ssl.keystore.location')).toBe('/etc/samsa/tls/broker.pem');
    expect(props.get('inter.broker.listener.name')).toBe('INTERNAL');
    expect(service.ports).toEqual([`919${n}:919${n}`]);
  });

  const composeCli = composeCommand();
  (composeCli === undefined ? test.skip : test)('dockerComposeConfigAcceptsBothFilesTogether', () => {
    const r = spawnSync(
      composeCli![0],
      [...composeCli!.slice(1), '-f', COMPOSE_FILE, '-f', SASL_SSL_COMPOSE_FILE, 'config', '--quiet'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('docker/Dockerfile and docker/make-tls.sh', () => {
  test('theRuntimeImageHasOpensslAndMakeTls', () => {
    const text = fs.readFileSync(DOCKERFILE, 'utf8');
    const runtime = text.slice(text.indexOf('AS runtime'));
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends openssl/);
    expect(runtime).toContain('COPY docker/make-tls.sh docker/make-tls.sh');
    expect(runtime).toContain('/etc/samsa/tls');
    expect(fs.statSync(MAKE_TLS).mode & 0o111).toBe(0o111);
  });
});

describe('deploy/k8s/sasl-ssl (kustomize overlay)', () => {
  const dir = path.join(K8S_DIR, 'sasl-ssl');
  const kustomization = readYaml(path.join(dir, 'kustomization.yaml'));
  const configPatch = readYaml(path.join(dir, 'configmap-patch.yaml'));
  const brokerPatch = readYaml(path.join(dir, 'broker-patch.yaml'));
  const baseConfig = readK8sManifests().find((m) => m.doc.kind === 'ConfigMap')!.doc;
  const baseBroker = readK8sManifests().find((m) => m.doc.kind === 'StatefulSet' && m.doc.metadata.name === 'samsa-broker')!.doc;

  test('itPatchesThePlainDeploymentsObjects', () => {
    expect(kustomization.resources).toEqual(['../zookeeper.yaml', '../configmap.yaml', '../broker.yaml', 'service.yaml']);
    expect(configPatch.metadata.name).toBe(baseConfig.metadata.name);
    expect(brokerPatch.metadata.name).toBe(baseBroker.metadata.name);
    expect(kustomization.secretGenerator[0].name).toBe('samsa-tls-ca');
    const init = brokerPatch.spec.template.spec.initContainers[0];
    expect(init.image).toBe(baseBroker.spec.template.spec.containers[0].image);
    expect(init.args.join(' ')).toContain('/app/docker/make-tls.sh /etc/samsa/tls');
    expect(init.args.join(' ')).toContain('/app/bin/kafka-configs.sh --zookeeper "$ZOOKEEPER_CONNECT"');
    const volumes = brokerPatch.spec.template.spec.volumes.map((v: Yaml) => v.name);
    for (const mount of [...init.volumeMounts, ...brokerPatch.spec.template.spec.containers[0].volumeMounts])
      expect(volumes).toContain(mount.name);
    const keystoreDir = path.dirname(configPatch.data.KAFKA_SSL_KEYSTORE_LOCATION);
    expect(brokerPatch.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: keystoreDir, readOnly: true });
    const service = readYaml(path.join(dir, 'service.yaml'));
    expect(service.spec.ports[0].targetPort).toBe(brokerPatch.spec.template.spec.containers[0].ports[0].name);
    expect(service.spec.ports[0].port).toBe(brokerPatch.spec.template.spec.containers[0].ports[0].containerPort);
  });

  test('aPodsPatchedEnvironmentPassesTheEntrypoint', () => {
    const podName = 'samsa-broker-1';
    const env: Record<string, string> = { ...baseConfig.data, ...configPatch.data, HOSTNAME: podName, POD_NAME: podName, POD_NAMESPACE: 'prod' };
    const patchedEnv = new Map<string, string>();
    for (const e of baseBroker.spec.template.spec.containers[0].env as Yaml[]) if (e.value !== undefined) patchedEnv.set(e.name, e.value);
    for (const e of brokerPatch.spec.template.spec.containers[0].env as Yaml[]) patchedEnv.set(e.name, e.value);
    for (const [name, value] of patchedEnv) env[name] = value.replace(/\$\((\w+)\)/g, (_m: string, v: string) => env[v]);
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
    const r = runEntrypoint(env);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const props = propertiesOf(r.stdout);
    expect(props.get('broker.id')).toBe('1');
    expect(props.get('listeners')).toBe('PLAINTEXT://0.0.0.0:9092,SECURE://0.0.0.0:9093');
    expect(props.get('advertised.listeners')).toBe(
      'PLAINTEXT://samsa-broker-1.samsa-broker-headless.prod.svc.cluster.local:9092,SECURE://samsa-broker-1.samsa-broker-headless.prod.svc.cluster.local:9093',
    );
    expect(props.get('listener.security.protocol.map')).toBe('PLAINTEXT:PLAINTEXT,SECURE:SASL_SSL');
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 15_000 }).status === 0;
  if (!kubectl) console.log('kubectl kustomize: skipped, kubectl does not run on this machine');
  (kubectl ? test : test.skip)('kubectlKustomizeBuildsItWithMakeTlsOutput', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-kustomize-'));
    try {
      // the overlay as an operator has it: the three base files beside it, tls/ made by make-tls.sh
      const k8s = path.join(tmp, 'k8s');
      fs.cpSync(K8S_DIR, k8s, { recursive: true });
      const made = spawnSync(MAKE_TLS, [path.join(k8s, 'sasl-ssl', 'tls')], { encoding: 'utf8', timeout: 60_000 });
      expect(made.status).toBe(0);
      const r = spawnSync('kubectl', ['kustomize', '--load-restrictor=LoadRestrictionsNone', path.join(k8s, 'sasl-ssl')], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toContain('name: samsa-tls-ca');
      expect(r.stdout).toContain('initContainers:');
      expect(r.stdout).toContain('SECURE://$(POD_NAME).samsa-broker-headless');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

import { javaDouble, quotaLine } from './ClientQuotasAdmin';
import { runConfigCommand } from './ConfigCommand';

describe('kafka-configs quotas (--bootstrap-server, KIP-546)', () => {
  it("prints an entity's quotas as Kafka 2.8's ConfigCommand does", () => {
    expect(
      quotaLine({
        entity: [
          { entityType: 'client-id', entityName: null },
          { entityType: 'user', entityName: 'alice' },
        ],
        values: new Map([
          ['producer_byte_rate', 1024],
          ['request_percentage', 12.5],
        ]),
      }),
    ).toBe("Quota configs for user-principal 'alice', the default client-id are producer_byte_rate=1024.0, request_percentage=12.5");
    expect(javaDouble(1e9)).toBe('1.0E9');
    expect(javaDouble(1048576)).toBe('1048576.0');
  });

  it('refuses what Kafka refuses before reaching a broker', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l) };
    const b = ['--bootstrap-server', '127.0.0.1:1', '--alter'];
    expect(await runConfigCommand([...b, '--entity-type', 'clients', '--entity-name', 'c', '--add-config', 'retention.ms=5'], io)).toBe(1);
    expect(err.at(-1)).toBe("Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: Set(retention.ms)");
    expect(await runConfigCommand([...b, '--entity-type', 'clients', '--entity-name', 'c', '--add-config', 'producer_byte_rate=fast'], io)).toBe(1);
    expect(err.at(-1)).toBe('Cannot parse quota configuration value for producer_byte_rate: fast');
    expect(await runConfigCommand([...b, '--entity-type', 'users', '--entity-name', 'u', '--add-config', 'producer_byte_rate=5,SCRAM-SHA-256=[password=x]'], io)).toBe(1);
    expect(err.at(-1)).toBe("Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.");
    expect(await runConfigCommand([...b, '--entity-type', 'users', '--entity-type', 'clients', '--entity-name', 'u', '--add-config', 'producer_byte_rate=5'], io)).toBe(1);
    expect(err.at(-1)).toBe('--entity-name or --entity-default must be specified with each --entity-type for --alter');
  });
});

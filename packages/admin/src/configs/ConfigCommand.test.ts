import { parseConfigsToBeAdded, runConfigCommand, scramCredentialOf } from './ConfigCommand';

describe('kafka-configs for users (SCRAM)', () => {
  it("splits --add-config as Kafka does: commas inside [] stay, brackets go", () => {
    expect(
      parseConfigsToBeAdded('SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]'),
    ).toEqual(
      new Map([
        ['SCRAM-SHA-256', 'iterations=8192,password=alice-secret'],
        ['SCRAM-SHA-512', 'password=alice-secret'],
      ]),
    );
    expect(() => parseConfigsToBeAdded('a')).toThrow('all configs to be added must be in the format "key=val"');
  });

  it('makes the credential Kafka 2.1.1 stored for alice from the same salt (scram.txt), 4096 iterations by default', () => {
    expect(scramCredentialOf('SCRAM-SHA-256', 'iterations=8192,password=alice-secret', Buffer.from('1dp852vsdjtpr2m12zyi8i6c66'))).toBe(
      'salt=MWRwODUydnNkanRwcjJtMTJ6eWk4aTZjNjY=,stored_key=Yf6G4oRwJTmRdGn3xalZjKip01oSwAYg7mPkEQXq8P0=,server_key=whCQBA8XgIQeLNPL/4f+/Mk7giPl/Ao75+u6rbFSLmY=,iterations=8192',
    );
    expect(scramCredentialOf('SCRAM-SHA-512', 'password=alice-secret')).toMatch(/,iterations=4096$/);
    expect(() => scramCredentialOf('SCRAM-SHA-256', 'iterations=100,password=x')).toThrow(
      'Iterations 100 is less than the minimum 4096 required for SCRAM-SHA-256',
    );
    expect(() => scramCredentialOf('SCRAM-SHA-256', 'pass=x')).toThrow('Invalid credential property SCRAM-SHA-256=pass=x');
  });

  it('refuses non-SCRAM user configs and other entity types without touching ZooKeeper', async () => {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const connectZk = () => Promise.reject(new Error('must not connect'));
    expect(
      await runConfigCommand(['--zookeeper', 'z', '--alter', '--entity-type', 'users', '--entity-name', 'a', '--add-config', 'producer_byte_rate=1'], io, { connectZk }),
    ).toBe(1);
    expect(lines.join('\n')).toContain('User configuration updates using ZooKeeper are only supported for SCRAM credential updates.');
    // topics, brokers and clients are served now (ZkEntityConfigs); broker-loggers never through ZooKeeper (Kafka 2.8)
    expect(await runConfigCommand(['--zookeeper', 'z', '--describe', '--entity-type', 'broker-loggers', '--entity-name', '0'], io, { connectZk })).toBe(1);
    expect(lines.at(-1)).toBe(
      'Invalid entity type broker-loggers, the entity type must be one of topics, clients, users, brokers with a --zookeeper argument',
    );
  });
});

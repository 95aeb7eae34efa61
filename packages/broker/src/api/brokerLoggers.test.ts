import { ErrorCode, KafkaError } from '@samsa/protocol';
import { Log4jController } from '../log/Log4jController';
import { alterBrokerLoggers, describeBrokerLoggers, requireThisBroker } from './brokerLoggers';

function refusal(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    expect((e as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
    return (e as Error).message;
  }
}

describe('BROKER_LOGGER configs (KIP-412, Kafka 2.8 Log4jController)', () => {
  it("lists root and every logger with its level (its own, else root's); SET and DELETE change what is written", () => {
    const c = new Log4jController('INFO');
    c.register('kafka.server.KafkaServer');
    c.register('kafka.controller');
    expect(describeBrokerLoggers(c).map((e) => [e.name, e.value, e.configSource, e.readOnly])).toEqual([
      ['root', 'INFO', 6, false],
      ['kafka.controller', 'INFO', 6, false],
      ['kafka.server.KafkaServer', 'INFO', 6, false],
    ]);
    expect(c.enabled('kafka.controller', 1)).toBe(false);
    alterBrokerLoggers(c, '1', [{ name: 'kafka.controller', configOperation: 0, value: 'DEBUG' }], false);
    expect(c.enabled('kafka.controller', 1)).toBe(true);
    expect(c.enabled('kafka.server.KafkaServer', 1)).toBe(false);
    alterBrokerLoggers(c, '1', [{ name: 'root', configOperation: 0, value: 'ERROR' }], false);
    expect(c.loggers().get('kafka.server.KafkaServer')).toBe('ERROR');
    expect(c.loggers().get('kafka.controller')).toBe('DEBUG');
    alterBrokerLoggers(c, '1', [{ name: 'kafka.controller', configOperation: 1, value: null }], false);
    expect(c.loggers().get('kafka.controller')).toBe('ERROR');
    alterBrokerLoggers(c, '1', [{ name: 'kafka.controller', configOperation: 0, value: 'TRACE' }], true);
    expect(c.loggers().get('kafka.controller')).toBe('ERROR');
  });

  it("refuses as Kafka does, nothing changed", () => {
    const c = new Log4jController('INFO');
    c.register('kafka.controller');
    const prefix = "Invalid config value for resource ConfigResource(type=BROKER_LOGGER, name='1'): ";
    expect(refusal(() => alterBrokerLoggers(c, '1', [{ name: 'nope', configOperation: 0, value: 'DEBUG' }], false))).toBe(
      `${prefix}Logger nope does not exist!`,
    );
    expect(
      refusal(() =>
        alterBrokerLoggers(
          c,
          '1',
          [
            { name: 'kafka.controller', configOperation: 0, value: 'DEBUG' },
            { name: 'root', configOperation: 0, value: 'LOUD' },
          ],
          false,
        ),
      ),
    ).toBe(`${prefix}Cannot set the log level of root to LOUD as it is not a supported log level. Valid log levels are TRACE, DEBUG, INFO, WARN, ERROR, FATAL`);
    expect(c.loggers().get('kafka.controller')).toBe('INFO');
    expect(refusal(() => alterBrokerLoggers(c, '1', [{ name: 'root', configOperation: 1, value: null }], false))).toBe(
      'Removing the log level of the root logger is not allowed',
    );
    expect(refusal(() => alterBrokerLoggers(c, '1', [{ name: 'root', configOperation: 2, value: 'x' }], false))).toBe(
      'APPEND operation is not allowed for the BROKER_LOGGER resource',
    );
    expect(refusal(() => requireThisBroker('2', 1))).toBe('Unexpected broker id, expected 1, but received 2');
  });
});

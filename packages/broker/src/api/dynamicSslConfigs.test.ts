import { ErrorCode, KafkaError } from '@samsa/protocol';
import { validateDynamicBrokerConfigs } from './configs';

describe('dynamic listener SSL configs (AlterConfigs on a broker)', () => {
  it('a listener keystore location passes; its password is refused (no password.encoder.secret to store it encrypted)', () => {
    expect(() =>
      validateDynamicBrokerConfigs('0', new Map([['listener.name.ssl.ssl.keystore.location', '/etc/new.p12']])),
    ).not.toThrow();
    for (const key of ['listener.name.ssl.ssl.keystore.password', 'listener.name.ssl.ssl.key.password', 'listener.name.ssl.ssl.keystore.key']) {
      let error: unknown;
      try {
        validateDynamicBrokerConfigs('0', new Map([[key, 'secret']]));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KafkaError);
      expect((error as KafkaError).code).toBe(ErrorCode.INVALID_REQUEST);
      expect((error as Error).message).toBe(
        "Invalid config value for resource ConfigResource(type=BROKER, name='0'): Password encoder secret not configured",
      );
    }
  });
});

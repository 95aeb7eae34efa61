import * as path from 'path';
import { parseClusterArgs } from './args';

describe('parseClusterArgs', () => {
  const home = '/opt/samsa';

  test('noArgumentsGiveMakeRunDefaults', () => {
    expect(parseClusterArgs([], home)).toEqual({
      home,
      dataDir: path.join(home, '.samsa'),
      brokers: 3,
      saslSsl: true,
      help: false,
    });
  });

  test('theSaslSslListenerCanBeTurnedOff', () => {
    expect(parseClusterArgs(['--no-sasl-ssl'], home).saslSsl).toBe(false);
  });

  test('dataDirDefaultsUnderAGivenHome', () => {
    expect(parseClusterArgs(['--home', '/srv/samsa'], home).dataDir).toBe('/srv/samsa/.samsa');
  });

  test('flagsTakeSeparateOrInlineValues', () => {
    const args = parseClusterArgs(['--data-dir=/tmp/d', '--brokers', '1'], home);
    expect(args).toMatchObject({ home, dataDir: '/tmp/d', brokers: 1 });
  });

  test('relativeDirectoriesResolveAgainstTheWorkingDirectory', () => {
    expect(parseClusterArgs(['--data-dir', 'data'], home).dataDir).toBe(path.resolve('data'));
  });

  test('helpIsRecognised', () => {
    expect(parseClusterArgs(['-h'], home).help).toBe(true);
  });

  test.each([['--brokers', '0'], ['--brokers', 'x'], ['--brokers', '2.5'], ['--brokers'], ['--data-dir'], ['--bogus']])(
    'badArgumentsAreRefused %p',
    (...argv) => {
      expect(() => parseClusterArgs(argv, home)).toThrow();
    },
  );
});

import { PasswordEncoder, passwordEncodersOf } from './PasswordEncoder';
import { decodeDynamicPasswords, encodeDynamicPasswords, loggableBrokerConfigs, validateDynamicBrokerConfigs } from '../api/configs';

/**
 * Values encrypted by the JDK's own JCA (PBKDF2WithHmacSHA512, 4096 iterations, 128-bit AES; a salt
 * of bytes 0..255) exactly as Kafka 2.8's PasswordEncoder calls it, for secret 'encoder-secret' and
 * password 'keystore-pässword'. The other direction (the JDK decrypting what encode writes) was
 * checked the same way when this was written.
 */
const JCA_CBC =
  'keyFactoryAlgorithm:PBKDF2WithHmacSHA512,cipherAlgorithm:AES/CBC/PKCS5Padding,keyLength:128,salt:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==,iterations:4096,encryptedPassword:tucnQ6wNCwVBVU9vNp2xatQTmsDxzJomkwyuuyskZ7U=,passwordLength:17,initializationVector:IGP2rMaL5Hr6z48JUpmnYQ==';
const JCA_GCM =
  'keyFactoryAlgorithm:PBKDF2WithHmacSHA512,cipherAlgorithm:AES/GCM/NoPadding,keyLength:128,salt:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==,iterations:4096,encryptedPassword:Rpu2hpImhM20XJ3tc2nhuhfGtYttbaaRpV1ttHBNK5BSsQ==,passwordLength:17,initializationVector:eFQyueJfZZO9rvMr,authenticationTagLength:128';

describe('PasswordEncoder (Kafka 2.8 kafka.utils.PasswordEncoder)', () => {
  const encoder = new PasswordEncoder({ secret: 'encoder-secret' });

  it('decodes what the JDK encrypted as Kafka does, CBC and GCM', () => {
    expect(encoder.decode(JCA_CBC)).toBe('keystore-pässword');
    expect(encoder.decode(JCA_GCM)).toBe('keystore-pässword');
  });

  it("writes Kafka's fields and reads its own back; a wrong secret is 'Invalid password'", () => {
    for (const cipherAlgorithm of ['AES/CBC/PKCS5Padding', 'AES/GCM/NoPadding']) {
      const e = new PasswordEncoder({ secret: 'encoder-secret', cipherAlgorithm });
      const encoded = e.encode('pw');
      expect(encoded).toMatch(/^keyFactoryAlgorithm:PBKDF2WithHmacSHA512,cipherAlgorithm:AES\/(CBC|GCM)\/\w+,keyLength:128,salt:[A-Za-z0-9+/=]{344},iterations:4096,encryptedPassword:[^,]+,passwordLength:2,initializationVector:[^,]+/);
      expect(encoded).not.toContain('pw,');
      expect(e.decode(encoded)).toBe('pw');
      expect(() => new PasswordEncoder({ secret: 'other', cipherAlgorithm }).decode(encoded)).toThrow('Invalid password');
    }
  });

  it('dynamic passwords: refused without a secret, encrypted with one, read with the old secret too, hidden in logs', () => {
    const pw = new Map([['listener.name.ssl.ssl.key.password', 'k-secret']]);
    expect(() => validateDynamicBrokerConfigs('0', pw)).toThrow('Password encoder secret not configured');
    expect(() => validateDynamicBrokerConfigs('0', pw, { passwordEncoderConfigured: true })).not.toThrow();
    const stored = encodeDynamicPasswords(new Map([...pw, ['num.io.threads', '4']]), encoder);
    expect(stored.get('num.io.threads')).toBe('4');
    expect(stored.get('listener.name.ssl.ssl.key.password')).toMatch(/^keyFactoryAlgorithm:/);
    const errors: string[] = [];
    const rotated = passwordEncodersOf((k) =>
      ({ 'password.encoder.secret': 'new-secret', 'password.encoder.old.secret': 'encoder-secret', 'password.encoder.cipher.algorithm': 'AES/CBC/PKCS5Padding', 'password.encoder.key.length': 128, 'password.encoder.iterations': 4096 })[k],
    );
    expect(decodeDynamicPasswords(stored, rotated, (n) => errors.push(n))).toEqual(new Map([['listener.name.ssl.ssl.key.password', 'k-secret'], ['num.io.threads', '4']]));
    expect(decodeDynamicPasswords(stored, { current: null, old: null }, (n) => errors.push(n))).toEqual(new Map([['num.io.threads', '4']]));
    expect(errors).toEqual(['listener.name.ssl.ssl.key.password']);
    expect(loggableBrokerConfigs(new Map([...pw, ['num.io.threads', '4']]))).toEqual(
      new Map([['listener.name.ssl.ssl.key.password', '[hidden]'], ['num.io.threads', '4']]),
    );
  });
});

import {
  ANONYMOUS,
  parseKafkaPrincipal,
  principalToString,
  samePrincipal,
  userPrincipal,
} from './KafkaPrincipal';

describe('KafkaPrincipal', () => {
  it('writes and parses Type:name, splitting at the first colon', () => {
    expect(principalToString(ANONYMOUS)).toBe('User:ANONYMOUS');
    expect(parseKafkaPrincipal('User:CN=a:b,O=c')).toEqual({ principalType: 'User', name: 'CN=a:b,O=c' });
    expect(
      samePrincipal(parseKafkaPrincipal(principalToString(userPrincipal('alice'))), userPrincipal('alice')),
    ).toBe(true);
  });

  it('refuses a string without a type', () => {
    expect(() => parseKafkaPrincipal('alice')).toThrow(/Type:name/);
    expect(() => parseKafkaPrincipal(':alice')).toThrow(/Type:name/);
  });
});

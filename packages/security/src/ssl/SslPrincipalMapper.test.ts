import { NoMatchingRule, SslPrincipalMapper } from './SslPrincipalMapper';

// The cases of Kafka's SslPrincipalMapperTest (2.8), and the corner cases of its syntax.
describe('SslPrincipalMapper', () => {
  it('valid rules parse', () => {
    for (const rules of [
      'DEFAULT',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/',
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT',
      'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/',
      'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L',
      'RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U',
      'RULE:^CN=([^,ADEFLTU,]+)(,.*|$)/$1/',
      'RULE:^CN=([^,DEFAULT,]+)(,.*|$)/$1/',
    ]) {
      expect(() => new SslPrincipalMapper(rules)).not.toThrow();
    }
  });

  it('invalid rules are refused', () => {
    for (const rules of [
      'default',
      'DEFAUL',
      'DEFAULT/L',
      'DEFAULT/U',
      'RULE:CN=(.*?),OU=ServiceUsers.*/$1',
      'RULE:CN=(.*?),OU=ServiceUsers.*/$1/L/U',
      'RULE:CN=(.*?),OU=ServiceUsers.*/L',
      'RULE:CN=(.*?),OU=ServiceUsers.*/U',
      'RULE:CN=(.*?),OU=ServiceUsers.*/LU',
    ]) {
      expect(() => new SslPrincipalMapper(rules)).toThrow(/Invalid rule/);
    }
  });

  it('the first rule that matches the whole DN gives the name', () => {
    const mapper = new SslPrincipalMapper(
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,' +
        'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L,' +
        'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U, DEFAULT',
    );
    expect(mapper.getName('CN=Duke,OU=ServiceUsers,O=Org,C=US')).toBe('Duke');
    expect(mapper.getName('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US')).toBe('duke@sme');
    expect(mapper.getName('cn=duke,ou=JavaSoft,o=Sun Microsystems')).toBe('DUKE');
    expect(mapper.getName('OU=JavaSoft,O=Sun Microsystems,C=US')).toBe('OU=JavaSoft,O=Sun Microsystems,C=US');
  });

  it('escaped commas in the DN, and a rule without DEFAULT that matches nothing', () => {
    const mapper = new SslPrincipalMapper('RULE:^CN=((\\\\, *|\\w)+)(,.*|$)/$1/,DEFAULT');
    expect(mapper.getName('CN=Tkac\\, Adam,OU=ITZ,DC=geodis,DC=cz')).toBe('Tkac\\, Adam');
    const strict = new SslPrincipalMapper('RULE:^CN=(.*?),OU=test$/$1/');
    expect(() => strict.getName('CN=x,OU=ops')).toThrow(NoMatchingRule);
    expect(() => strict.getName('CN=x,OU=ops')).toThrow('No rules apply to CN=x,OU=ops, rules [RULE:^CN=(.*?),OU=test$/$1]');
  });

  it('a back reference to a group the pattern does not have stays literal (Kafka\'s escapeLiteralBackReferences)', () => {
    expect(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$1@$3/').getName('CN=a,OU=b')).toBe('a@$3');
    expect(new SslPrincipalMapper('RULE:^CN=(.*?),OU=(.*?)$/$12/').getName('CN=a,OU=b')).toBe('a2');
    expect(new SslPrincipalMapper('RULE:^CN=(.*?)$/x\\$1/').getName('CN=a')).toBe('x$1');
  });

  it('null or empty rules are DEFAULT; empty rules between commas are ignored', () => {
    expect(new SslPrincipalMapper(null).getName('CN=a')).toBe('CN=a');
    expect(new SslPrincipalMapper('RULE:^CN=(a)$/$1/, , DEFAULT').getName('CN=b')).toBe('CN=b');
  });
});

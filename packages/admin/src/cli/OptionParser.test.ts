import { OptionParser, UsageError } from './OptionParser';

/** The jopt-simple features beyond flags and string/int arguments: long, optional arguments, availableIf. */
const parser = (): OptionParser =>
  new OptionParser()
    .accepts('list', 'l')
    .accepts('describe', 'd')
    .accepts('members', 'm')
    .accepts('help', 'h')
    .acceptsArg('offset', 'o', 'offset', 'long')
    .acceptsOptionalArg('state', 's', 'String')
    .availableIf('members', 'describe')
    .availableIf('state', 'describe', 'list');

test('longArgumentsAreExactToSixtyFourBits', () => {
  const o = parser().parse(['--offset', '-9223372036854775808']);
  expect(o.longValueOf('offset')).toBe(-(2n ** 63n));
  expect(parser().parse(['--offset=+42']).longValueOf('offset')).toBe(42n);
  expect(() => parser().parse(['--offset', '9223372036854775808'])).toThrow(
    new UsageError("Cannot parse argument '9223372036854775808' of option offset"),
  );
  expect(() => parser().parse(['--offset', '1.5'])).toThrow("Cannot parse argument '1.5' of option offset");
});

test('anOptionalArgumentIsTakenUnlessTheNextWordIsAnOption', () => {
  expect(parser().parse(['--list', '--state', 'Stable,Empty']).valueOf('state')).toBe('Stable,Empty');
  const bare = parser().parse(['--list', '--state']);
  expect(bare.has('state')).toBe(true);
  expect(bare.valueOf('state')).toBeUndefined();
  expect(parser().parse(['--state', '--list']).valueOf('state')).toBeUndefined();
  expect(parser().parse(['--list', '--state=']).valueOf('state')).toBe('');
});

test('availableIfNeedsOneOfItsCompanions', () => {
  expect(() => parser().parse(['--members'])).toThrow(
    'Option(s) [members] are unavailable given other options on the command line',
  );
  expect(() => parser().parse(['--members', '--state'])).toThrow(
    'Option(s) [members, state] are unavailable given other options on the command line',
  );
  expect(parser().parse(['--describe', '--members', '--state']).given()).toEqual([
    'describe',
    'members',
    'state',
  ]);
  expect(parser().parse(['--members', '--help']).has('members')).toBe(true);
});

test('helpShowsAnOptionalArgumentInBrackets', () => {
  expect(parser().helpText()).toContain('--state [String]');
  expect(parser().helpText()).toContain('--offset <offset>');
});

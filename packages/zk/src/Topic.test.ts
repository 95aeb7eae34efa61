import {
  hasCollision,
  hasCollisionChars,
  InvalidTopicError,
  isInternalTopic,
  isValidTopicName,
  validateTopic,
} from './Topic';

test('legalNames', () => {
  for (const name of ['T', 'a.b_c-D9', '__consumer_offsets', 'x'.repeat(249), '...']) {
    expect(isValidTopicName(name)).toBe(true);
    expect(() => validateTopic(name)).not.toThrow();
  }
});

test('illegalNamesGetKafkasMessages', () => {
  expect(() => validateTopic('')).toThrow("Topic name is illegal, it can't be empty");
  expect(() => validateTopic('.')).toThrow('Topic name cannot be "." or ".."');
  expect(() => validateTopic('..')).toThrow(InvalidTopicError);
  expect(() => validateTopic('x'.repeat(250))).toThrow("it can't be longer than 249 characters");
  expect(() => validateTopic('a b')).toThrow(
    `Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
  );
  for (const name of ['a/b', 'ü', 'a:b', 'tab\t']) expect(isValidTopicName(name)).toBe(false);
});

test('internalTopicsAndCollisions', () => {
  expect(isInternalTopic('__consumer_offsets')).toBe(true);
  expect(isInternalTopic('__transaction_state')).toBe(true);
  expect(isInternalTopic('T')).toBe(false);
  expect(hasCollisionChars('a.b')).toBe(true);
  expect(hasCollisionChars('ab')).toBe(false);
  expect(hasCollision('a.b', 'a_b')).toBe(true);
  expect(hasCollision('a.b', 'a-b')).toBe(false);
});

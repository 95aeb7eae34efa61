import { javaStringHashCode, kafkaAbs, partitionFor } from './partitionFor';

/**
 * Values worked out from Java's formula s[0]*31^(n-1) + … + s[n-1] with 32-bit overflow, e.g.
 * "group": g=103 → 103*31+114=3307 → 3307*31+111=102628 → 102628*31+117=3181585 →
 * 3181585*31+112=98629247.
 */
describe('partitionFor', () => {
  test('javaStringHashCodeMatchesJava', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('group')).toBe(98629247);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('test-group')).toBe(627841412);
    // overflowing to negative
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    // non-ASCII: UTF-16 code units, a surrogate pair counting as two
    expect(javaStringHashCode('grüppe')).toBe(-1233264812);
    expect(javaStringHashCode('g\u{1F600}')).toBe(103 * 31 * 31 + 0xd83d * 31 + 0xde00);
    // a string whose hash is Integer.MIN_VALUE
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  test('kafkaAbsOfIntegerMinValueIsZero', () => {
    expect(kafkaAbs(-2147483648)).toBe(0);
    expect(kafkaAbs(-5)).toBe(5);
    expect(kafkaAbs(7)).toBe(7);
  });

  test('partitionIsAbsOfTheHashModuloThePartitionCount', () => {
    expect(partitionFor('', 50)).toBe(0);
    expect(partitionFor('group', 50)).toBe(47);
    expect(partitionFor('test-group', 50)).toBe(12);
    expect(partitionFor('my-group', 50)).toBe(12);
    expect(partitionFor('grüppe', 50)).toBe(12);
    expect(partitionFor('polygenelubricants', 50)).toBe(0);
    expect(partitionFor('group', 5)).toBe(2);
  });
});

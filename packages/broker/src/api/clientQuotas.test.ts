import { javaDouble } from './clientQuotas';

describe('javaDouble (Double.toString, how request_percentage lands in the znode)', () => {
  it.each([
    [100, '100.0'],
    [12.5, '12.5'],
    [0.5, '0.5'],
    [1e7, '1.0E7'],
    [12345678.5, '1.23456785E7'],
    [0.0001, '1.0E-4'],
    [0, '0.0'],
  ])('%p → %s', (v, text) => expect(javaDouble(v)).toBe(text));
});

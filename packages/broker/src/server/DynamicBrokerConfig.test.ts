import { DynamicBrokerConfig, type BrokerReconfigurable } from './DynamicBrokerConfig';

function recorder(configs: string[]): BrokerReconfigurable & { seen: Record<string, string>[] } {
  const seen: Record<string, string>[] = [];
  return {
    name: 'recorder',
    reconfigurableConfigs: new Set(configs),
    seen,
    reconfigure: (effective) => void seen.push(Object.fromEntries(effective)),
  };
}

describe('DynamicBrokerConfig', () => {
  const staticValues: Record<string, string> = { 'max.connections': '100' };
  const errors: string[] = [];
  const make = (): DynamicBrokerConfig =>
    new DynamicBrokerConfig({ staticValue: (n) => staticValues[n], onError: (r) => void errors.push(r.name) });

  test('perBrokerOverClusterDefaultOverStatic', () => {
    const d = make();
    const r = recorder(['max.connections', 'leader.replication.throttled.rate']);
    d.addReconfigurable(r);
    expect(r.seen).toEqual([{ 'max.connections': '100' }]);
    d.update(new Map(), new Map([['max.connections', '50']]));
    d.update(new Map([['max.connections', '10']]), new Map([['max.connections', '50']]));
    expect(r.seen.slice(1)).toEqual([{ 'max.connections': '50' }, { 'max.connections': '10' }]);
    expect(d.effective('max.connections')).toBe('10');
  });

  test('onlyChangedReconfigurablesAreCalledAndAFailureIsRetriedNextTime', () => {
    const d = make();
    const a = recorder(['a.x']);
    let fail = true;
    const b: BrokerReconfigurable = {
      name: 'b',
      reconfigurableConfigs: new Set(['b.x']),
      reconfigure: () => {
        if (fail) throw new Error('no');
      },
    };
    d.addReconfigurable(a);
    d.addReconfigurable(b);
    d.update(new Map([['b.x', '1']]), new Map());
    expect(a.seen).toHaveLength(1);
    expect(errors).toEqual(['b', 'b']);
    fail = false;
    d.update(new Map([['b.x', '1'], ['c', '2']]), new Map());
    expect(errors).toEqual(['b', 'b']);
  });
});

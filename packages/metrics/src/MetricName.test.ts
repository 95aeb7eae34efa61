import { MalformedNameError, MetricName, parseObjectName, quote, quoteIfNeeded, unquote } from './MetricName';
import { ObjectNamePattern } from './ObjectNamePattern';

describe('MetricName', () => {
  test('renders Kafka names: type, name, then tags in order', () => {
    const n = MetricName.of('kafka.server', 'BrokerTopicMetrics', 'MessagesInPerSec', [['topic', 'T']]);
    expect(n.mbeanName).toBe('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T');
    expect(n.canonicalName).toBe('kafka.server:name=MessagesInPerSec,topic=T,type=BrokerTopicMetrics');
    expect(n.keyPropertyList()).toBe('type=BrokerTopicMetrics,name=MessagesInPerSec,topic=T');
    expect(n.type).toBe('BrokerTopicMetrics');
    expect(n.get('topic')).toBe('T');
  });

  test('tags with an empty value are left out, as Kafka does', () => {
    expect(MetricName.of('kafka.log', 'Log', 'Size', [['topic', 't'], ['partition', '']]).mbeanName).toBe(
      'kafka.log:type=Log,name=Size,topic=t',
    );
  });

  test('values with special characters are quoted and unquote back', () => {
    const n = MetricName.of('kafka.server', 'FetcherStats', 'BytesPerSec', [['clientId', 'a,b=c:"d"*?\\x']]);
    expect(n.get('clientId')).toBe('"a,b=c:\\"d\\"\\*\\?\\\\x"');
    expect(n.getUnquoted('clientId')).toBe('a,b=c:"d"*?\\x');
    expect(quoteIfNeeded('topic-1.x_y %')).toBe('topic-1.x_y %');
    expect(unquote(quote('line\nbreak'))).toBe('line\nbreak');
  });

  test('parse round-trips rendered names, quoted values included', () => {
    for (const n of [
      MetricName.of('kafka.network', 'RequestMetrics', 'RequestsPerSec', [['request', 'Produce'], ['version', '8']]),
      MetricName.of('kafka.server', 'X', 'Y', [['clientId', 'with,comma and "quote"']]),
    ]) {
      const parsed = MetricName.parse(n.mbeanName);
      expect(parsed.mbeanName).toBe(n.mbeanName);
      expect(parsed.canonicalName).toBe(n.canonicalName);
    }
  });

  test('malformed names are refused', () => {
    for (const bad of ['no-colon', 'd:', 'd:type', 'd:=x', 'd:a=1,a=2', 'd:a=', 'd:a="open', 'd:a="x"y', 'd:a=1,', 'd:a=x=y', 'd:a="\\z"']) {
      expect(() => parseObjectName(bad)).toThrow(MalformedNameError);
    }
    expect(() => MetricName.parse('kafka.log:type=Log,*')).toThrow(MalformedNameError);
  });

  test('patterns are recognised: wildcards in domain or values, or a property list pattern', () => {
    expect(parseObjectName('kafka.log:type=Log,*').isPattern).toBe(true);
    expect(parseObjectName('kafka.log:*').isPattern).toBe(true);
    expect(parseObjectName('kafka.*:type=Log').isPattern).toBe(true);
    expect(parseObjectName('kafka.log:type=Log,name=Si?e').isPattern).toBe(true);
    expect(parseObjectName('kafka.log:type=Log,name=Size').isPattern).toBe(false);
    expect(parseObjectName('d:a="lit\\*eral"').isPattern).toBe(false);
    expect(parseObjectName('d:a="wild*"').isPattern).toBe(true);
  });
});

describe('ObjectNamePattern', () => {
  const allTopics = MetricName.of('kafka.server', 'BrokerTopicMetrics', 'MessagesInPerSec');
  const topicT = MetricName.of('kafka.server', 'BrokerTopicMetrics', 'MessagesInPerSec', [['topic', 'T']]);
  const log = MetricName.of('kafka.log', 'Log', 'Size', [['topic', 'T'], ['partition', '0']]);
  const matches = (p: string, n: MetricName) => ObjectNamePattern.parse(p).matches(n);

  test('a plain name matches itself in any key order, and nothing with more or fewer keys', () => {
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', allTopics)).toBe(true);
    expect(matches('kafka.server:name=MessagesInPerSec,type=BrokerTopicMetrics', allTopics)).toBe(true);
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec', topicT)).toBe(false);
  });

  test('value wildcards keep the exact key set; ,* allows more keys', () => {
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=*', allTopics)).toBe(true);
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=*', topicT)).toBe(false);
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=*,*', topicT)).toBe(true);
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=*In*,topic=T', topicT)).toBe(true);
    expect(matches('kafka.server:type=BrokerTopicMetrics,name=Bytes*,*', topicT)).toBe(false);
    expect(matches('kafka.log:type=Log,*', log)).toBe(true);
    expect(matches('kafka.log:type=Log,*', topicT)).toBe(false);
    expect(matches('kafka.log:type=Log,name=Siz?,*', log)).toBe(true);
  });

  test('domain wildcards', () => {
    expect(matches('*:*', log)).toBe(true);
    expect(matches('kafka.*:type=Log,*', log)).toBe(true);
    expect(matches('kafka.s?rver:*', topicT)).toBe(true);
    expect(matches('kafka.s?rver:*', log)).toBe(false);
  });

  test('an escaped wildcard in a quoted value is literal', () => {
    const star = MetricName.of('d', 't', 'n', [['k', 'a*b']]);
    expect(star.get('k')).toBe('"a\\*b"');
    expect(matches('d:type=t,name=n,k="a\\*b"', star)).toBe(true);
    expect(matches('d:type=t,name=n,k="a\\*c"', star)).toBe(false);
  });
});

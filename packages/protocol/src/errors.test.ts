import { ErrorCode, KAFKA_ERRORS, KafkaError, errorInfo, isRetriable } from './errors';

describe('Kafka error table', () => {
  it('has unique codes and names, covering -1..104 without gaps', () => {
    const codes = KAFKA_ERRORS.map((e) => e.code);
    const names = KAFKA_ERRORS.map((e) => e.name);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(names).size).toBe(names.length);
    expect(codes).toEqual(Array.from({ length: 106 }, (_, i) => i - 1));
  });

  it('agrees with the ErrorCode map', () => {
    expect(Object.keys(ErrorCode).length).toBe(KAFKA_ERRORS.length);
    for (const e of KAFKA_ERRORS) expect(ErrorCode[e.name as keyof typeof ErrorCode]).toBe(e.code);
    for (const e of KAFKA_ERRORS) expect(e.message.length).toBeGreaterThan(0);
  });

  it('knows some well-known codes', () => {
    expect(ErrorCode.NONE).toBe(0);
    expect(ErrorCode.NOT_LEADER_OR_FOLLOWER).toBe(6);
    expect(ErrorCode.UNSUPPORTED_VERSION).toBe(35);
    expect(ErrorCode.MEMBER_ID_REQUIRED).toBe(79);
    expect(ErrorCode.INCONSISTENT_CLUSTER_ID).toBe(104);
    expect(errorInfo(3).name).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('marks retriable codes as Kafka does', () => {
    for (const c of [
      ErrorCode.CORRUPT_MESSAGE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.LEADER_NOT_AVAILABLE,
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
      ErrorCode.REQUEST_TIMED_OUT,
      ErrorCode.NETWORK_EXCEPTION,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
      ErrorCode.NOT_COORDINATOR,
      ErrorCode.NOT_ENOUGH_REPLICAS,
      ErrorCode.NOT_CONTROLLER,
      ErrorCode.KAFKA_STORAGE_ERROR,
      ErrorCode.UNSTABLE_OFFSET_COMMIT,
      ErrorCode.THROTTLING_QUOTA_EXCEEDED,
    ]) {
      expect(isRetriable(c)).toBe(true);
    }
    for (const c of [
      ErrorCode.UNKNOWN_SERVER_ERROR,
      ErrorCode.NONE,
      ErrorCode.OFFSET_OUT_OF_RANGE,
      ErrorCode.BROKER_NOT_AVAILABLE,
      ErrorCode.MESSAGE_TOO_LARGE,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.REBALANCE_IN_PROGRESS,
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      ErrorCode.UNSUPPORTED_VERSION,
      ErrorCode.TOPIC_ALREADY_EXISTS,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.UNKNOWN_PRODUCER_ID,
      ErrorCode.MEMBER_ID_REQUIRED,
      ErrorCode.PRODUCER_FENCED,
    ]) {
      expect(isRetriable(c)).toBe(false);
    }
  });

  it('handles codes Kafka 2.8 does not define', () => {
    for (const c of [105, 9999, -2]) {
      const info = errorInfo(c);
      expect(info).toEqual({
        code: c,
        name: `UNKNOWN_ERROR_${c}`,
        retriable: false,
        message: expect.any(String),
      });
      expect(isRetriable(c)).toBe(false);
    }
  });
});

describe('KafkaError', () => {
  it('carries code, name and retriability', () => {
    const e = new KafkaError(ErrorCode.NOT_COORDINATOR, 'moved');
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe('moved');
    expect(e.code).toBe(16);
    expect(e.errorName).toBe('NOT_COORDINATOR');
    expect(e.retriable).toBe(true);
  });

  it('defaults the message and copes with unknown codes', () => {
    expect(new KafkaError(ErrorCode.INVALID_REQUEST).message).toBe(errorInfo(42).message);
    const u = new KafkaError(321);
    expect(u.errorName).toBe('UNKNOWN_ERROR_321');
    expect(u.retriable).toBe(false);
  });
});

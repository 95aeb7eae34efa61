import { ErrorCode, KafkaError } from '@samsa/protocol';
import { isLogLevel, LOG_LEVELS, ROOT_LOGGER, type Log4jController } from '../log/Log4jController';
import { AlterConfigOp, type ConfigEntry, type IncrementalOp } from './configs';

/**
 * BROKER_LOGGER resources (KIP-412), as Kafka 2.8's ConfigHelper and ZkAdminManager serve them: a
 * broker's loggers and their levels, described and changed live on that broker only.
 */

/** Kafka's ConfigSource id of a logger's level. */
const DYNAMIC_BROKER_LOGGER_CONFIG = 6;

/** A BROKER_LOGGER resource names this broker (its id; Kafka's admin client sends it there). */
export function requireThisBroker(resourceName: string, brokerId: number): void {
  if (resourceName !== String(brokerId))
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${brokerId}, but received ${resourceName}`,
    );
}

/** Every logger with its level (Kafka's Log4jController.loggers), as DescribeConfigs entries. */
export function describeBrokerLoggers(controller: Log4jController): ConfigEntry[] {
  return [...controller.loggers()].map(([name, level]) => ({
    name,
    value: level,
    readOnly: false,
    isDefault: false,
    configSource: DYNAMIC_BROKER_LOGGER_CONFIG,
    isSensitive: false,
    synonyms: [],
  }));
}

/**
 * Kafka's validateLogLevelConfigs then alterLogLevelConfigs: SET to a valid level, DELETE (back
 * to the root's level; not for the root); APPEND/SUBTRACT refused. Checked entirely before any
 * level changes.
 */
export function alterBrokerLoggers(
  controller: Log4jController,
  resourceName: string,
  ops: readonly IncrementalOp[],
  validateOnly: boolean,
): void {
  const invalid = (why: string) =>
    new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Invalid config value for resource ConfigResource(type=BROKER_LOGGER, name='${resourceName}'): ${why}`,
    );
  for (const op of ops) {
    const name = op.name;
    switch (op.configOperation) {
      case AlterConfigOp.SET:
        if (!controller.loggerExists(name)) throw invalid(`Logger ${name} does not exist!`);
        if (op.value === null || !isLogLevel(op.value))
          throw invalid(
            `Cannot set the log level of ${name} to ${op.value} as it is not a supported log level. ` +
              `Valid log levels are ${LOG_LEVELS.join(', ')}`,
          );
        break;
      case AlterConfigOp.DELETE:
        if (!controller.loggerExists(name)) throw invalid(`Logger ${name} does not exist!`);
        if (name === ROOT_LOGGER)
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Removing the log level of the ${ROOT_LOGGER} logger is not allowed`);
        break;
      case AlterConfigOp.APPEND:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'APPEND operation is not allowed for the BROKER_LOGGER resource');
      case AlterConfigOp.SUBTRACT:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'SUBTRACT operation is not allowed for the BROKER_LOGGER resource');
      default:
        throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown config operation ${op.configOperation} for ${name}`);
    }
  }
  if (validateOnly) return;
  for (const op of ops) {
    if (op.configOperation === AlterConfigOp.SET) controller.setLogLevel(op.name, op.value as (typeof LOG_LEVELS)[number]);
    else controller.unsetLogLevel(op.name);
  }
}

/**
 * control.plane.listener.name (KIP-291, Kafka 2.2+): the listener the controller connects to on
 * every broker, so its requests do not queue behind clients' and can be kept on a network of their
 * own. It is a listener like any other on this broker (bound by the SocketServer, published in
 * /brokers/ids/<id>); the controller picks it from each broker's registration. As in Kafka 2.8,
 * the broker still serves every API on every listener: the control plane is a separate path, not an
 * access rule (with rolling restarts, a controller whose configuration does not name it yet still
 * reaches the broker on the inter-broker listener).
 */
import { listenerNameOf, listenerSecurityProtocol } from '../network/EndPoint';
import type { ConfigView } from './securityRefusals';

const names = (config: ConfigView, key: string): string[] =>
  ((config.get(key) as string[] | null) ?? []).map(listenerNameOf).filter((n): n is string => n !== undefined);

/** control.plane.listener.name, upper case as Kafka normalises it; null when unset. */
export function controlPlaneListenerName(config: ConfigView): string | null {
  const name = ((config.get('control.plane.listener.name') as string | null) ?? '').trim();
  return name === '' ? null : name.toUpperCase();
}

/**
 * inter.broker.listener.name, else, as Kafka 2.8, the listener named after
 * security.inter.broker.protocol (PLAINTEXT by default; SSL with security.inter.broker.protocol=SSL)
 * when there is one; else the first listener that is not the control plane's (where Kafka would
 * refuse to start, Samsa has always picked a data-plane listener: kept so such configurations run).
 */
export function interBrokerListenerName(config: ConfigView): string {
  const explicit = ((config.get('inter.broker.listener.name') as string | null) ?? '').trim();
  if (explicit !== '') return explicit.toUpperCase();
  const controlPlane = controlPlaneListenerName(config);
  const listeners = names(config, 'listeners');
  const byProtocol = ((config.get('security.inter.broker.protocol') as string | null) ?? 'PLAINTEXT').toUpperCase();
  if (listeners.includes(byProtocol) && byProtocol !== controlPlane) return byProtocol;
  return listeners.find((n) => n !== controlPlane) ?? listeners[0] ?? 'PLAINTEXT';
}

/**
 * Kafka 2.8's checks of control.plane.listener.name (KafkaConfig.validateValues and
 * getControlPlaneListenerNameAndSecurityProtocol), each as one sentence; empty when it is unset or
 * valid. Two listeners on one port are already refused by `listeners` parsing.
 */
export function controlPlaneListenerProblems(config: ConfigView): string[] {
  const name = controlPlaneListenerName(config);
  if (name === null) return [];
  const listeners = names(config, 'listeners');
  const advertised = config.get('advertised.listeners') === null ? listeners : names(config, 'advertised.listeners');
  const problems: string[] = [];
  if (!listeners.includes(name)) {
    problems.push(`control.plane.listener.name=${name} must be a listener name defined in listeners (${listeners.join(',')})`);
  } else if (!advertised.includes(name)) {
    problems.push(
      `control.plane.listener.name=${name} must be a listener name defined in advertised.listeners. ` +
        `The valid options based on currently configured listeners are ${advertised.join(',')}`,
    );
  }
  const protocolMap = (config.get('listener.security.protocol.map') as string[] | null) ?? [];
  if (listenerSecurityProtocol(name, protocolMap) === undefined) {
    problems.push(`Listener with ${name} defined in control.plane.listener.name not found in listener.security.protocol.map`);
  }
  if (interBrokerListenerName(config) === name) {
    problems.push(
      'control.plane.listener.name, when defined, should have a different value from the inter broker listener name. ' +
        `Currently they both have the value ${name}`,
    );
  }
  return problems;
}

import type { CredentialCache } from '@samsa/security';
import type { KafkaConfig } from '../config/KafkaConfig';
import { saslListenerConfig, saslListenerNames, type SaslListenerConfig } from '../config/saslConfigs';
import { SaslServerAuthenticator } from './SaslServerAuthenticator';

/**
 * The SocketServer's source of SaslServerAuthenticators: each SASL listener's settings resolved
 * once (KafkaConfig has already refused any that cannot serve), one authenticator per connection
 * reading the broker's live CredentialCache.
 */
export function saslAuthenticatorFactory(
  config: KafkaConfig,
  credentialCache: CredentialCache,
): (listenerName: string) => { authenticator: SaslServerAuthenticator; failedAuthenticationDelayMs: number } {
  const byListener = new Map<string, SaslListenerConfig>();
  for (const name of saslListenerNames(config)) byListener.set(name, saslListenerConfig(config, name));
  return (listenerName) => {
    const listener = byListener.get(listenerName);
    if (listener === undefined) throw new Error(`programmer error: ${listenerName} is not a SASL listener`);
    return {
      authenticator: new SaslServerAuthenticator({ config: listener, credentialCache }),
      failedAuthenticationDelayMs: listener.failedAuthenticationDelayMs,
    };
  };
}

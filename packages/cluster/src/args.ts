import * as path from 'path';

/** `samsa-cluster`'s command line, with `make run`'s values as defaults. */
export interface ClusterArgs {
  /** The checkout holding bin/ and packages/<name>/dist. */
  readonly home: string;
  /** Default <home>/.samsa. */
  readonly dataDir: string;
  readonly brokers: number;
  /** Serve a SASL_SSL listener beside the plaintext one (default true; --no-sasl-ssl turns it off). */
  readonly saslSsl: boolean;
  readonly help: boolean;
}

export const USAGE = `usage: samsa-cluster [--home DIR] [--data-dir DIR] [--brokers N] [--no-sasl-ssl]
  --home DIR      the Samsa checkout (bin/, packages/*/dist); default the one samsa-cluster runs from
  --data-dir DIR  ZooKeeper's and the brokers' data, kept across runs; default <home>/.samsa
  --brokers N     how many brokers (ids 0..N-1); default 3
  --no-sasl-ssl   only the plaintext listener (default: also SASL_SSL on 9192…, CA and admin in <data-dir>/tls)`;

/** Parses argv (without node and the script); throws an Error with a message for the user. */
export function parseClusterArgs(argv: readonly string[], defaultHome: string): ClusterArgs {
  let home = defaultHome;
  let dataDir: string | undefined;
  let brokers = 3;
  let help = false;
  let saslSsl = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--home':
        home = path.resolve(value());
        break;
      case '--data-dir':
        dataDir = path.resolve(value());
        break;
      case '--brokers': {
        const v = value();
        brokers = Number(v);
        if (!/^\d+$/.test(v) || brokers < 1 || brokers > 64) throw new Error(`--brokers must be a whole number from 1 to 64, not '${v}'`);
        break;
      }
      case '--no-sasl-ssl':
        saslSsl = false;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new Error(`unknown argument '${arg}'`);
    }
  }
  return { home, dataDir: dataDir ?? path.join(home, '.samsa'), brokers, saslSsl, help };
}

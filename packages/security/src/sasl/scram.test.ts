import {
  credentialFromString,
  credentialToString,
  SCRAM_SHA_256,
  SCRAM_SHA_512,
  ScramFormatter,
  ScramSaslClient,
  ScramSaslServer,
  SaslAuthenticationError,
  SaslError,
  secureRandomString,
} from './index';

// Kafka 2.1.1's bytes from ../shared/reference/kafka-2.1-samples/wave2/scram.txt
const STORED_256 =
  'salt=MWRwODUydnNkanRwcjJtMTJ6eWk4aTZjNjY=,stored_key=Yf6G4oRwJTmRdGn3xalZjKip01oSwAYg7mPkEQXq8P0=,server_key=whCQBA8XgIQeLNPL/4f+/Mk7giPl/Ao75+u6rbFSLmY=,iterations=8192';
const STORED_512 =
  'salt=aTQ4bzR3Z2NiamZsc205aHhwenhwNnplYg==,stored_key=FLLB5UBsISPy6svMH4yechi2znGCzC2LgkY490PF+AP/CCE2HeS3wU6ChALqzQAT2Ux2+zYAAPyb0rT8DNda7w==,server_key=00l6oK/mUxy6ESdFkmDTNXESkFFdxFngU/LWWe/0Zlci1P/L3j70SFhaSBTfhJjJvAUdVgzgI6i9NICfrabd+g==,iterations=4096';
const CLIENT_NONCE = 'd>6hDTUjD}ku^1]-i^\\-fivc]bcK3e\\/';
const SERVER_PART = '4guwrqwqkqjjqqbqyosujwfgw';

describe('ScramCredential and ScramFormatter', () => {
  it('recomputes the stored and server keys Kafka wrote for alice from the salt and iterations', () => {
    for (const [mech, stored] of [
      [SCRAM_SHA_256, STORED_256],
      [SCRAM_SHA_512, STORED_512],
    ] as const) {
      const c = credentialFromString(stored);
      const again = new ScramFormatter(mech).generateCredential('alice-secret', c.iterations, c.salt);
      expect(credentialToString(again)).toBe(stored);
    }
  });

  it('refuses malformed credential strings with Kafka\'s message', () => {
    expect(() => credentialFromString('salt=abc,stored_key=x')).toThrow('Credentials not valid: salt=abc,stored_key=x');
    expect(() => credentialFromString(STORED_256.replace('iterations=8192', 'iterations=x'))).toThrow('Credentials not valid');
  });

  it('makes salts and nonces of base-36 characters, at most 26 of them', () => {
    for (let i = 0; i < 50; i++) expect(secureRandomString()).toMatch(/^[0-9a-z]{1,26}$/);
  });
});

describe('ScramSaslServer', () => {
  const lookup = (user: string) => (user === 'alice' ? credentialFromString(STORED_256) : undefined);

  it('answers librdkafka 2.0.2\'s captured exchange byte for byte (its doubled client nonce accepted)', () => {
    const server = new ScramSaslServer(SCRAM_SHA_256, lookup, () => SERVER_PART);
    expect(server.currentState).toBe('RECEIVE_CLIENT_FIRST_MESSAGE');
    const first = server.evaluateResponse(Buffer.from(`n,,n=alice,r=${CLIENT_NONCE}`));
    expect(first.toString()).toBe(`r=${CLIENT_NONCE}${SERVER_PART},s=MWRwODUydnNkanRwcjJtMTJ6eWk4aTZjNjY=,i=8192`);
    expect(server.currentState).toBe('RECEIVE_CLIENT_FINAL_MESSAGE');
    const final = server.evaluateResponse(
      Buffer.from(`c=biws,r=${CLIENT_NONCE}${CLIENT_NONCE}${SERVER_PART},p=f8zdd/MoY+j+o2X3qLS/Tz+vc1tfg5XHelT28kSC5as=`),
    );
    expect(final.toString()).toBe('v=kmeEFnKw1+nR7uNyPWI/hYDsvndr7wlWTVvTxRGnPxA=');
    expect(server.isComplete()).toBe(true);
    expect(server.authorizationId()).toBe('alice');
  });

  it('refuses a wrong proof and an unknown user as SaslErrors (no detail for the client), and then stays FAILED', () => {
    const server = new ScramSaslServer(SCRAM_SHA_256, lookup, () => SERVER_PART);
    server.evaluateResponse(Buffer.from(`n,,n=alice,r=${CLIENT_NONCE}`));
    const wrong = () =>
      server.evaluateResponse(Buffer.from(`c=biws,r=${CLIENT_NONCE}${SERVER_PART},p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`));
    expect(wrong).toThrow(SaslError);
    expect(server.currentState).toBe('FAILED');
    const unknown = new ScramSaslServer(SCRAM_SHA_256, lookup);
    let err: unknown;
    try {
      unknown.evaluateResponse(Buffer.from('n,,n=bob,r=abc'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SaslError);
    expect(err).not.toBeInstanceOf(SaslAuthenticationError);
  });

  it('refuses a nonce that does not end with the server nonce, and an authorization id of another user', () => {
    const server = new ScramSaslServer(SCRAM_SHA_256, lookup, () => SERVER_PART);
    server.evaluateResponse(Buffer.from('n,,n=alice,r=abc'));
    expect(() => server.evaluateResponse(Buffer.from('c=biws,r=abcXYZ,p=AAAA'))).toThrow('Invalid client nonce');
    const authz = new ScramSaslServer(SCRAM_SHA_256, lookup);
    expect(() => authz.evaluateResponse(Buffer.from('n,a=bob,n=alice,r=abc'))).toThrow(SaslAuthenticationError);
  });

  it('talks to ScramSaslClient for both mechanisms; a wrong password fails', () => {
    for (const mech of [SCRAM_SHA_256, SCRAM_SHA_512]) {
      const cred = new ScramFormatter(mech).generateCredential('s3cret,=x', 4096);
      const run = (password: string) => {
        const server = new ScramSaslServer(mech, (u) => (u === 'us,er=' ? cred : undefined));
        const client = new ScramSaslClient(mech, 'us,er=', password);
        let token = client.evaluateChallenge(Buffer.alloc(0));
        while (!server.isComplete()) {
          const challenge = server.evaluateResponse(token);
          token = client.evaluateChallenge(challenge);
        }
        return client.isComplete() && server.authorizationId();
      };
      expect(run('s3cret,=x')).toBe('us,er=');
      expect(() => run('wrong')).toThrow('Invalid client credentials');
    }
  });
});

describe('ScramSaslClient against a hostile server', () => {
  it('refuses an iteration count above what Kafka stores before spending any PBKDF2 on it', () => {
    const client = new ScramSaslClient(SCRAM_SHA_256, 'alice', 'pw');
    const first = client.evaluateChallenge(Buffer.alloc(0)).toString('utf8');
    const nonce = /r=([^,]+)/.exec(first)![1];
    expect(() =>
      client.evaluateChallenge(Buffer.from(`r=${nonce}server,s=${Buffer.from('salt').toString('base64')},i=2147483647`)),
    ).toThrow(/more than the maximum 16384/);
  });
});

describe('ScramSaslServer tokenauth', () => {
  it('takes tokenauth=TRUE as a token login, whatever its case (Boolean.parseBoolean)', () => {
    const cred = new ScramFormatter(SCRAM_SHA_256).generateCredential('pw', 4096);
    const server = new ScramSaslServer(SCRAM_SHA_256, () => cred);
    expect(() => server.evaluateResponse(Buffer.from('n,,n=alice,r=abc,tokenauth=TRUE'))).toThrow(/Token Authentication failed/);
  });
});

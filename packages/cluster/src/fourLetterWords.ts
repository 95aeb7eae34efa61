import * as net from 'net';
import { LOOPBACK } from './ports';

/**
 * Sends a ZooKeeper four-letter word (`srvr`, `ruok`, `mntr`, `cons`, ...) to 127.0.0.1:port and
 * resolves with the whole answer. A paused server accepts the connection but never answers: that
 * ends in a timeout rejection.
 */
export function fourLetterWord(
  port: number,
  word: string,
  { timeoutMs = 2000 }: { timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: LOOPBACK, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer to '${word}' from ${LOOPBACK}:${port} within ${timeoutMs} ms`));
    });
    socket.once('connect', () => socket.end(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

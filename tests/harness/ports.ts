/** Port helpers live in @samsa/cluster, which starts the processes that listen on them. */
export { freePort, isPortOpen, LOOPBACK } from '@samsa/cluster';

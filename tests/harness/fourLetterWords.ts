/** ZooKeeper's four-letter words: @samsa/cluster asks `conf` to see that ZooKeeper serves. */
export { fourLetterWord } from '@samsa/cluster';

/** The polling helpers live with the processes they were written for (@samsa/cluster). */
export { errorMessage, sleep, waitFor, withTimeout, type WaitForOptions } from '@samsa/cluster';

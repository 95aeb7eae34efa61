/** Milliseconds; Date.now by default, a fake one in tests. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Text for the page: numbers with units, durations, clock times; HTML escaping. */

export function esc(text: unknown): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const DASH = '–';

export function bytes(n: number | null): string {
  if (n === null) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v >= 100 || (i === 0 && Number.isInteger(v)) ? 0 : 1;
  return `${v.toFixed(digits)} ${units[i]}`;
}

export function bytesRate(n: number | null): string {
  return n === null ? DASH : `${bytes(n)}/s`;
}

/** 0.4, 12, 1.2k, 3.4M */
export function count(n: number | null): string {
  if (n === null) return DASH;
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 100 || Number.isInteger(n)) return n.toFixed(0);
  return n.toFixed(1);
}

export function rate(n: number | null): string {
  return n === null ? DASH : `${count(n)}/s`;
}

export function millis(n: number | null): string {
  if (n === null) return DASH;
  return n >= 100 ? `${n.toFixed(0)} ms` : `${n.toFixed(1)} ms`;
}

/** 45s, 12m 5s, 3h 20m, 2d 4h */
export function duration(ms: number | null): string {
  if (ms === null) return DASH;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local wall-clock time, HH:MM:SS (with .mmm when asked). */
export function clock(ms: number, withMillis = false): string {
  const d = new Date(ms);
  const base = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMillis ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

export function list(ids: readonly number[]): string {
  return ids.length === 0 ? DASH : ids.join(', ');
}

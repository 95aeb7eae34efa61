/**
 * Small SVG line charts over a fixed time window ending now: the same size every render (no layout
 * jumps), a y axis from 0 to a rounded maximum, gaps where a sample is null.
 */
import { esc } from './format.js';

export interface ChartLine {
  readonly name: string;
  readonly cssClass: string;
  readonly values: ReadonlyArray<number | null>;
}

export interface ChartOptions {
  readonly timesMs: readonly number[];
  readonly nowMs: number;
  readonly windowMs: number;
  readonly format: (v: number) => string;
}

const WIDTH = 420;
const HEIGHT = 140;
const LEFT = 58;
const RIGHT = 6;
const TOP = 8;
const BOTTOM = 18;

/** 1, 2 or 5 times a power of ten, at least `v`. */
function niceCeiling(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * power >= v) return m * power;
  return 10 * power;
}

export function lineChart(lines: readonly ChartLine[], options: ChartOptions): string {
  const { timesMs, nowMs, windowMs, format } = options;
  const startMs = nowMs - windowMs;
  const max = niceCeiling(
    Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null))) * 1.1,
  );
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (t: number): number => LEFT + ((t - startMs) / windowMs) * plotW;
  const y = (v: number): number => TOP + plotH - (v / max) * plotH;
  const parts: string[] = [];
  for (const frac of [0, 0.5, 1]) {
    const yy = y(max * frac).toFixed(1);
    parts.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${yy}" y2="${yy}"/>`);
    parts.push(
      `<text class="axis" x="${LEFT - 4}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(format(max * frac))}</text>`,
    );
  }
  for (let minutesAgo = windowMs / 60_000; minutesAgo >= 0; minutesAgo -= 2) {
    const xx = x(nowMs - minutesAgo * 60_000).toFixed(1);
    const label = minutesAgo === 0 ? 'now' : `-${minutesAgo}m`;
    parts.push(`<text class="axis" x="${xx}" y="${HEIGHT - 4}" text-anchor="middle">${label}</text>`);
  }
  for (const line of lines) {
    let d = '';
    let penDown = false;
    line.values.forEach((v, i) => {
      const t = timesMs[i];
      if (v === null || t === undefined || t < startMs) {
        penDown = false;
        return;
      }
      d += `${penDown ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      penDown = true;
    });
    if (d !== '')
      parts.push(`<path class="line ${line.cssClass}" d="${d}"><title>${esc(line.name)}</title></path>`);
  }
  return `<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img">${parts.join('')}</svg>`;
}

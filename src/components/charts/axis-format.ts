/** Tick labels short enough to fit the chart's margin, for the log axes where powers of two run to many digits. */

const SUFFIXES: Array<[number, string]> = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * 0.0078125 → "1/128", 65536 → "65.5k", 3 → "3": at most about six characters, so a log axis's labels stay
 * inside its left margin. Fractions print as 1/n where n is a whole number (powers of two always are).
 */
export function shortTick(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const sign = value < 0 ? '−' : '';
  const x = Math.abs(value);
  if (x < 1) {
    const inverse = 1 / x;
    if (Math.abs(inverse - Math.round(inverse)) < 1e-9 * inverse && inverse >= 3) return `${sign}1/${short(Math.round(inverse), 2)}`;
    return `${sign}${Number(x.toPrecision(2))}`;
  }
  return `${sign}${short(x)}`;
}

function short(x: number, digits = 3): string {
  for (const [scale, suffix] of SUFFIXES) if (x >= scale) return `${Number((x / scale).toPrecision(digits))}${suffix}`;
  return String(Number(x.toPrecision(Math.max(digits, 3))));
}

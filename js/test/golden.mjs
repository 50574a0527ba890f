// The golden cases Python writes (python -m digitheat_widget._golden): read once.
import { readFileSync } from 'node:fs';

const file = new URL('./golden.json', import.meta.url);
export const golden = JSON.parse(readFileSync(file, 'utf8'));
export const cases = golden.cases;

/** A float as the golden file holds it: a number, or 'NaN' / 'inf' / '-inf'. */
export function num(value) {
  if (value === 'NaN') return NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return value;
}

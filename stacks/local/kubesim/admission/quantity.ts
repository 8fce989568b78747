// Kubernetes resource quantities ('500m', '1Gi', '0.5', '2k', '1e3') as exact
// milli-units, so quota and LimitRange arithmetic never drifts (0.1 + 0.2),
// and printed back in the API server's canonical form ('1500m', '2', '512Mi')
// because quota and LimitRange messages quote them.

export type QuantityFormat = 'DecimalSI' | 'BinarySI';

export interface Quantity {
  /** Value in thousandths (1 cpu = 1000n, 1Ki = 1024000n). Sub-milli values round up, as MilliValue() does. */
  milli: bigint;
  format: QuantityFormat;
}

const binary: Record<string, bigint> = {
  Ki: 1024n,
  Mi: 1024n ** 2n,
  Gi: 1024n ** 3n,
  Ti: 1024n ** 4n,
  Pi: 1024n ** 5n,
  Ei: 1024n ** 6n,
};
const decimalExp: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const pattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class QuantityError extends Error {}

/** Parses a quantity; throws QuantityError with the API server's wording on bad input. */
export function parseQuantity(input: string | number): Quantity {
  const text = String(input).trim();
  const m = pattern.exec(text);
  if (!m)
    throw new QuantityError(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  const [, sign, number, suffix = ''] = m;
  const [whole = '0', frac = ''] = number!.split('.');
  // digits as an integer scaled by 10^-frac.length
  let digits = BigInt((whole || '0') + frac);
  let exp10 = -frac.length;
  let factor = 1n;
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in binary) {
    factor = binary[suffix]!;
    format = 'BinarySI';
  } else if (/^[eE]/.test(suffix)) {
    exp10 += Number(suffix.slice(1));
  } else {
    exp10 += decimalExp[suffix]!;
  }
  // milli = digits * factor * 10^(exp10 + 3), rounded up
  digits *= factor;
  const shift = exp10 + 3;
  let milli: bigint;
  if (shift >= 0) milli = digits * 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    milli = digits / div + (digits % div === 0n ? 0n : 1n);
  }
  return { milli: sign === '-' ? -milli : milli, format };
}

export const quantity = (milli: bigint, format: QuantityFormat = 'DecimalSI'): Quantity => ({
  milli,
  format,
});
export const zero = (): Quantity => quantity(0n);

export const add = (a: Quantity, b: Quantity): Quantity => ({
  milli: a.milli + b.milli,
  format: a.format,
});
export const sub = (a: Quantity, b: Quantity): Quantity => ({
  milli: a.milli - b.milli,
  format: a.format,
});
export const cmp = (a: Quantity, b: Quantity): number =>
  a.milli < b.milli ? -1 : a.milli > b.milli ? 1 : 0;
export const max = (a: Quantity, b: Quantity): Quantity => (cmp(a, b) >= 0 ? a : b);

const decimalSuffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The canonical string the API server prints: '1500m', '2', '1M', '512Mi', '1536Mi'. */
export function formatQuantity(q: Quantity): string {
  const negative = q.milli < 0n;
  const abs = negative ? -q.milli : q.milli;
  const sign = negative ? '-' : '';
  if (abs === 0n) return '0';
  if (abs % 1000n !== 0n) return `${sign}${abs}m`;
  let value = abs / 1000n;
  if (q.format === 'BinarySI' && value >= 1024n) {
    let i = 0;
    while (value % 1024n === 0n && i < binarySuffixes.length - 1) {
      value /= 1024n;
      i++;
    }
    return `${sign}${value}${binarySuffixes[i]}`;
  }
  let i = 0;
  while (value % 1000n === 0n && i < decimalSuffixes.length - 1) {
    value /= 1000n;
    i++;
  }
  return `${sign}${value}${decimalSuffixes[i]}`;
}

/** Re-prints a quantity string canonically ('0.5' → '500m', '1024Mi' → '1Gi'). */
export const canonical = (input: string | number): string => formatQuantity(parseQuantity(input));

/** A resource list as stored in JSON ({cpu: '500m'}) → parsed. Unparseable values are skipped. */
export type ResourceList = Record<string, Quantity>;

export function parseResourceList(list: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      out[k] = parseQuantity(v);
    } catch {
      // validation (422) is the API server's job; admission just ignores what it cannot read
    }
  }
  return out;
}

export function formatResourceList(list: ResourceList): Record<string, string> {
  return Object.fromEntries(
    Object.keys(list)
      .sort()
      .map((k) => [k, formatQuantity(list[k]!)]),
  );
}

/** Sum of lists: keys from either side; the left operand's format wins, as quota.Add does. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? add(out[k]!, v) : v;
  return out;
}

/** `k=v,k=v` with sorted keys: how quota messages print resource lists. */
export const prettyPrint = (list: ResourceList): string =>
  Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(list[k]!)}`)
    .join(',');

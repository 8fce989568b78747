// Kubernetes resource quantities, the two shapes environments use: cpu
// ('500m', '2', '0.5') and memory ('512Mi', '1Gi', '1G'). Parsed to integers
// (millicores, bytes) so limits compare exactly; formatted back canonically so
// the same amount is always written the same way (stable manifests, stable
// server-side apply).

const CPU = /^(?:(\d{1,6})m|(\d{1,4})(?:\.(\d{1,3}))?)$/;
const MEMORY = /^(\d{1,15})(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

const memoryUnits: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Millicores of a cpu quantity, or undefined when it is not one we accept. */
export function parseCpu(quantity: string): number | undefined {
  const m = CPU.exec(quantity);
  if (!m) return undefined;
  if (m[1] !== undefined) return Number(m[1]);
  return Number(m[2]) * 1000 + Number((m[3] ?? '').padEnd(3, '0'));
}

/** Bytes of a memory quantity, or undefined when it is not one we accept. */
export function parseMemory(quantity: string): number | undefined {
  const m = MEMORY.exec(quantity);
  if (!m) return undefined;
  const bytes = Number(m[1]) * (memoryUnits[m[2] ?? ''] ?? Number.NaN);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** '2' for 2000, '500m' for 500. */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** The largest binary unit that divides evenly: '1Gi', '1536Mi', '1000k' stays '1000000'. */
export function formatMemory(bytes: number): string {
  for (const unit of ['Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = memoryUnits[unit]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

export const canonicalCpu = (quantity: string): string | undefined => {
  const m = parseCpu(quantity);
  return m === undefined ? undefined : formatCpu(m);
};

export const canonicalMemory = (quantity: string): string | undefined => {
  const b = parseMemory(quantity);
  return b === undefined ? undefined : formatMemory(b);
};

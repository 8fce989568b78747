// Kubernetes quantities for the launch form: compare and offer choices within a limit.

/** CPU in millicores: "500m" → 500, "2" → 2000. */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

const memoryUnits: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** Memory in bytes: "512Mi", "2Gi". */
export function memoryBytes(q: string): number {
  const match = /^([0-9.]+)([KMGT]i?)?$/.exec(q);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] ? (memoryUnits[match[2]] ?? Number.NaN) : 1);
}

const CPU_STEPS = ['250m', '500m', '1', '2', '4', '8', '16'];
const MEMORY_STEPS = ['512Mi', '1Gi', '2Gi', '4Gi', '8Gi', '16Gi', '32Gi', '64Gi'];

/** The usual sizes up to the limit, with the default and the limit themselves included. */
export function cpuChoices(defaultQ: string, maxQ: string): string[] {
  return choices(CPU_STEPS, defaultQ, maxQ, cpuMillis);
}

export function memoryChoices(defaultQ: string, maxQ: string): string[] {
  return choices(MEMORY_STEPS, defaultQ, maxQ, memoryBytes);
}

function choices(steps: string[], defaultQ: string, maxQ: string, size: (q: string) => number) {
  const max = size(maxQ);
  const all = [...steps.filter((s) => size(s) <= max), defaultQ, maxQ];
  const unique = new Map(all.map((q) => [size(q), q]));
  return [...unique.entries()].sort(([a], [b]) => a - b).map(([, q]) => q);
}

export function formatCpu(q: string): string {
  const m = cpuMillis(q);
  return m < 1000 ? `${m / 1000} CPU` : `${m / 1000} CPU${m === 1000 ? '' : 's'}`;
}

export function formatMemory(q: string): string {
  const bytes = memoryBytes(q);
  if (bytes >= 2 ** 30) return `${+(bytes / 2 ** 30).toFixed(1)} GiB`;
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

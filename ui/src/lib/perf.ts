/**
 * Timings of "submit pressed → preview shown" for the benchmark (numbers only, never personal data).
 * The E2E run reads them from `window.__madoguchiPerf`.
 */
interface PerfWindow {
  __madoguchiPerf?: { submitToPreviewMs: number[] };
}

let submittedAt: number | undefined;

export function markSubmit(): void {
  submittedAt = performance.now();
}

export function markPreviewShown(): void {
  if (submittedAt === undefined) {
    return;
  }
  const w = window as PerfWindow;
  w.__madoguchiPerf ??= { submitToPreviewMs: [] };
  w.__madoguchiPerf.submitToPreviewMs.push(performance.now() - submittedAt);
  submittedAt = undefined;
}

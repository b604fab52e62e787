/**
 * Timings of "submit pressed → preview shown" for the benchmark (numbers only, never personal data).
 * The E2E run reads them from `window.__madoguchiPerf`.
 *
 * A test-support hook: only a build made with `VITE_MADOGUCHI_TEST_SUPPORT=1` (scripts/test-e2e.sh) has
 * it. Vite replaces the flag with a constant, so a production `npm run build` drops the code entirely;
 * `ui/scripts/check-no-test-hooks.sh` (run by scripts/test.sh after the build) fails if it is there.
 */
const TEST_SUPPORT = import.meta.env.VITE_MADOGUCHI_TEST_SUPPORT === '1';

interface PerfWindow {
  __madoguchiPerf?: { submitToPreviewMs: number[] };
}

let submittedAt: number | undefined;

export function markSubmit(): void {
  if (!TEST_SUPPORT) {
    return;
  }
  submittedAt = performance.now();
}

export function markPreviewShown(): void {
  if (!TEST_SUPPORT || submittedAt === undefined) {
    return;
  }
  const w = window as PerfWindow;
  w.__madoguchiPerf ??= { submitToPreviewMs: [] };
  w.__madoguchiPerf.submitToPreviewMs.push(performance.now() - submittedAt);
  submittedAt = undefined;
}

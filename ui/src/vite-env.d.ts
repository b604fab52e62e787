/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** '1' in a test-support build (scripts/test-e2e.sh): the perf hook `window.__madoguchiPerf` is on. */
  readonly VITE_MADOGUCHI_TEST_SUPPORT?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

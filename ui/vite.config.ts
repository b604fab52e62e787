import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

// Bundled fonts live in the repository's assets/fonts (shared with the print crate); app.css points at
// them with a relative url() and Vite copies them into dist/assets, so the app loads them from 'self'.
const fontsDir = fileURLToPath(new URL('../assets/fonts', import.meta.url));

/** The SIL OFL asks that the licence travel with the font files: put it next to them in dist/. */
function fontLicence(): Plugin {
  return {
    name: 'madoguchi-font-licence',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'assets/OFL-BIZ-UD.txt',
        source: readFileSync(`${fontsDir}/OFL.txt`, 'utf8'),
      });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), svelteTesting(), fontLicence()],
  // Tauri serves dist/ from its own origin; relative asset paths keep working under tauri://localhost.
  base: './',
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    fs: { allow: ['.', fontsDir] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.50 and WebView2 (Chromium) both run ES2022.
    target: 'es2022',
    // Fonts and everything else go out as files: the CSP allows font-src 'self', not data: fonts.
    assetsInlineLimit: 0,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
  },
});

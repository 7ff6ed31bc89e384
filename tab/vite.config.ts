// Builds the tab into dist/tab, which Reynolds serves under /tab/ (hence the base).
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/tab/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/tab', import.meta.url)),
    emptyOutDir: true,
    // Fluent UI is most of the bundle; one chunk is fine for a tab loaded once per session.
    chunkSizeWarningLimit: 2000,
  },
});

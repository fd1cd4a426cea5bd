// Two entry points: the public portal (/) and the staff console (/console/). Served by server/serve.mjs,
// which also proxies /api/router and /api/app to the two services, so the browser talks to one origin.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { pinyin } from 'pinyin-pro';

const here = dirname(fileURLToPath(import.meta.url));
const UNITS = join(here, '../router/data/units.json');

/**
 * `virtual:unit-initials`: the pinyin initial of every Han character in the shipped unit names, computed at
 * build time so the console's unit picker finds "gjj" → 市公积金中心 without shipping a pinyin dictionary
 * (pinyin-pro is ~300 KB). Whole names are converted in context first, so polyphones read right.
 */
function unitInitials() {
  const id = 'virtual:unit-initials';
  return {
    name: 'unit-initials',
    resolveId: (source) => (source === id ? '\0' + id : null),
    load(resolved) {
      if (resolved !== '\0' + id) return null;
      const units = JSON.parse(readFileSync(UNITS, 'utf8'));
      const map = {};
      for (const u of units) {
        for (const name of [u.name, u.shortName]) {
          const chars = [...name];
          const initials = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' });
          chars.forEach((c, i) => {
            if (/\p{Script=Han}/u.test(c) && !map[c] && initials[i]) map[c] = initials[i].toLowerCase();
          });
        }
      }
      return `export default ${JSON.stringify(map)};`;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  plugins: [unitInitials()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    rolldownOptions: {
      input: { portal: join(here, 'index.html'), console: join(here, 'console/index.html') },
      // The code both entry points share (Preact, the API client, the styles) under a name that says so.
      output: { chunkFileNames: 'assets/shared-[hash].js', assetFileNames: 'assets/shared-[hash][extname]' },
    },
  },
});

// build.mjs - bundle the console into build/console/ (index.html, app.js,
// app.css) with esbuild; `npm run build`. COMB_CONSOLE_OUT overrides the
// output directory.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.env.COMB_CONSOLE_OUT || join(here, '..', 'build', 'console'));
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: process.env.COMB_CONSOLE_DEBUG ? false : true,
  format: 'iife',
  target: ['chrome110', 'firefox110'],
  outfile: join(out, 'app.js'),
  legalComments: 'linked',
  logLevel: 'warning',
});
for (const f of ['index.html', 'app.css'])
  copyFileSync(join(here, 'static', f), join(out, f));
console.log(`console built into ${out}`);

// Parses each file given (Mermaid text) with the real mermaid package; prints one line per file and exits 1
// when any does not parse. Used by e2e.compile_graph; install with `npm ci` in this folder.
import { readFileSync } from 'node:fs';
import DOMPurify from 'dompurify';

// Parsing needs no DOM, but mermaid registers DOMPurify hooks on load; Node has no window for DOMPurify,
// so give it no-op hooks (nothing here is rendered or sanitised).
DOMPurify.addHook ??= () => {};
DOMPurify.removeHook ??= () => {};
DOMPurify.removeAllHooks ??= () => {};
DOMPurify.sanitize ??= (text) => text;
const { default: mermaid } = await import('mermaid');

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`${file}: ok (${result.diagramType})`);
  } catch (error) {
    console.log(`${file}: error: ${String(error.message).split('\n').slice(0, 3).join(' | ')}`);
    failed = 1;
  }
}
process.exit(failed);

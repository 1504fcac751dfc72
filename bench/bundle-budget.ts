/**
 * Bundle budget, a deterministic check (no timing): the gzip size of the JavaScript a page must load
 * before Filmless shows a first image, read from dist/ (run `npm run build` first):
 * - dist/filmless-viewer.js and every chunk it imports statically (the element, the DICOMweb client,
 *   the lean first-image renderer), and
 * - the worker scripts those reference with `new URL(…, import.meta.url)` (the first image's codec
 *   worker: a compressed series needs it before its first image).
 * Not counted, only listed: chunks loaded with a dynamic `import()` (the Cornerstone imaging chunk,
 * which the element imports only once the first image is on screen; the QR code library of the share
 * panel) and everything they reference, and WebAssembly (reported on its own by the benchmark's P5).
 * The codec worker imports its decoder (CharLS, libjpeg-turbo, OpenJPEG, OpenJPH, the lossless JPEG and
 * RLE decoders) dynamically, only for the codec it meets: those chunks are listed, not counted. Frames the
 * lean path does not decode (12-bit DCT JPEG, big-endian, deflated) wait for the imaging chunk.
 * Exits 1 above the budget.
 *
 *   npx tsx bench/bundle-budget.ts            prints the files and sizes, checks the budget
 *
 * Budget: 150,000 bytes gzip (level 9), the target of the "Fastest first image" issue. When it was set
 * the first-image JavaScript was about 51 KB.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';

export const BUDGET_BYTES = 150_000;

export interface BundleFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface BundleReport {
  /** The entry and its static imports, in load order. */
  eager: BundleFile[];
  /** Loaded after the first image (dynamic imports and what they reference) or WebAssembly: not counted. */
  lazy: BundleFile[];
  eagerGzip: number;
}

const gzipSize = (content: Buffer) => gzipSync(content, { level: 9 }).length;

/** Module specifiers of top-level static imports and re-exports, dynamic imports, and `new URL` references. */
function references(source: string, file: string): { staticImports: string[]; dynamicImports: string[]; urls: string[] } {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const staticImports: string[] = [];
  const dynamicImports: string[] = [];
  const urls: string[] = [];
  const literal = (node: ts.Node | undefined) =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  for (const statement of sourceFile.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) {
      const specifier = literal(statement.moduleSpecifier);
      if (specifier) staticImports.push(specifier);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = literal(node.arguments[0]);
      if (specifier) dynamicImports.push(specifier);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [target, base] = node.arguments ?? [];
      const specifier = literal(target);
      if (specifier && base && /import\.meta\.url/.test(base.getText(sourceFile))) urls.push(specifier);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { staticImports, dynamicImports, urls };
}

export function measureBundle(dist: string, entry = 'filmless-viewer.js'): BundleReport {
  const eager: BundleFile[] = [];
  const lazyFiles = new Set<string>();
  const seen = new Set<string>();
  const queue = [path.join(dist, entry)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const content = readFileSync(file);
    eager.push({ file: path.relative(dist, file), bytes: content.length, gzip: gzipSize(content) });
    const { staticImports, dynamicImports, urls } = references(content.toString('utf8'), file);
    const resolve = (specifier: string) => path.resolve(path.dirname(file), specifier);
    for (const specifier of staticImports) if (specifier.startsWith('.')) queue.push(resolve(specifier));
    for (const specifier of dynamicImports) if (specifier.startsWith('.')) lazyFiles.add(resolve(specifier));
    for (const specifier of urls) {
      if (!specifier.startsWith('.')) continue;
      // Workers the eager code starts count; WebAssembly and pages are listed.
      if (specifier.endsWith('.js')) queue.push(resolve(specifier));
      else lazyFiles.add(resolve(specifier));
    }
  }
  const lazy = [...lazyFiles]
    .filter((file) => !seen.has(file) && existsSync(file))
    .map((file) => {
      const content = readFileSync(file);
      return { file: path.relative(dist, file), bytes: content.length, gzip: gzipSize(content) };
    });
  return { eager, lazy, eagerGzip: eager.reduce((sum, f) => sum + f.gzip, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = path.resolve(import.meta.dirname, '../dist');
  if (!existsSync(path.join(dist, 'filmless-viewer.js'))) {
    console.error('dist/filmless-viewer.js is missing: run `npm run build` first.');
    process.exit(2);
  }
  const report = measureBundle(dist);
  const kb = (n: number) => `${(n / 1000).toFixed(1).padStart(9)} KB`;
  console.log('JavaScript needed for the first image (entry, its static imports, the workers they start):');
  for (const f of report.eager) console.log(`  ${kb(f.gzip)} gzip ${kb(f.bytes)} raw  ${f.file}`);
  console.log('Loaded after the first image, or WebAssembly (not counted):');
  for (const f of report.lazy) console.log(`  ${kb(f.gzip)} gzip ${kb(f.bytes)} raw  ${f.file}`);
  const verdict = report.eagerGzip <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(`first-image JavaScript: ${report.eagerGzip} bytes gzip, ${verdict} the budget of ${BUDGET_BYTES} bytes (target: 150 KB)`);
  process.exit(report.eagerGzip <= BUDGET_BYTES ? 0 : 1);
}

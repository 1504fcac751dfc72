/**
 * Bundle budget, a deterministic check (no timing): the gzip size of the JavaScript a page must load
 * before Filmless can show a first image, read from dist/ (run `npm run build` first):
 * - dist/filmless-viewer.js and every chunk it imports statically, and
 * - every chunk those load with a dynamic `import()` that holds some of the project's own code
 *   (a module under src/, per the chunk's source map; a chunk without a source map counts too): the
 *   element loads those on its own, e.g. the imaging runtime.
 * Not counted, only listed: dynamically imported chunks made only of third-party modules (codecs, the
 * QR code library of the share panel) and whatever is referenced with `new URL(…, import.meta.url)`
 * (the decode worker, WASM, pages). Exits 1 above the budget.
 *
 *   npx tsx bench/bundle-budget.ts            prints the files and sizes, checks the budget
 *
 * Budget: 1,117,000 bytes gzip (level 9) = the size when this check was written, 1,014,773 bytes
 * (97% of it the imaging chunk: Cornerstone core, tools and image loader), + 10%. The target of the
 * "Fastest first image" issue is 150 KB; lower the budget as the code for a first image shrinks.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';

export const BUDGET_BYTES = 1_117_000;

export interface BundleFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface BundleReport {
  /** The entry and its static imports, in load order. */
  eager: BundleFile[];
  /** Referenced lazily by the eager files (dynamic import, new URL): not counted. */
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

/** Whether a chunk holds project code (a module under src/), by its source map; true without one. */
function holdsProjectCode(file: string): boolean {
  if (!existsSync(`${file}.map`)) return true;
  const { sources = [] } = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources?: string[] };
  return sources.some((source) => /(^|\/)src\//.test(source) && !source.includes('node_modules/'));
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
    for (const specifier of dynamicImports) {
      if (!specifier.startsWith('.')) continue;
      if (holdsProjectCode(resolve(specifier))) queue.push(resolve(specifier));
      else lazyFiles.add(resolve(specifier));
    }
    for (const specifier of urls) if (specifier.startsWith('.')) lazyFiles.add(resolve(specifier));
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
  console.log('JavaScript needed for the first image (entry, static imports, dynamic imports of project code):');
  for (const f of report.eager) console.log(`  ${kb(f.gzip)} gzip ${kb(f.bytes)} raw  ${f.file}`);
  console.log('Loaded lazily (not counted):');
  for (const f of report.lazy) console.log(`  ${kb(f.gzip)} gzip ${kb(f.bytes)} raw  ${f.file}`);
  const verdict = report.eagerGzip <= BUDGET_BYTES ? 'within' : 'OVER';
  console.log(`first-image JavaScript: ${report.eagerGzip} bytes gzip, ${verdict} the budget of ${BUDGET_BYTES} bytes (target: 150 KB)`);
  process.exit(report.eagerGzip <= BUDGET_BYTES ? 0 : 1);
}

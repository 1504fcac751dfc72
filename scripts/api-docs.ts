/**
 * `npm run docs:api`: writes docs/api.md, the API reference, from what `npm run build` produced:
 * dist/custom-elements.json (the element, its attributes, properties, methods, events, CSS) and the
 * package's type declarations (dist/types: the event details and the other types the manifest names).
 * Nothing in it is written by hand: the JSDoc in src/ is the place to change a text.
 * `--check` writes nothing and fails when docs/api.md is not what the build gives (test/node/api-docs.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('..', import.meta.url));
export const API_DOCS_PATH = path.join(REPO, 'docs/api.md');

interface Typed {
  name: string;
  description?: string;
  summary?: string;
  type?: { text: string };
  default?: string;
}
interface Parameter extends Typed {
  optional?: boolean;
}
interface Member extends Typed {
  kind: 'field' | 'method';
  static?: boolean;
  readonly?: boolean;
  privacy?: string;
  attribute?: string;
  parameters?: Parameter[];
  return?: { type?: { text: string } };
}
interface Attribute extends Typed {
  fieldName?: string;
  readonly?: boolean;
}
interface Declaration extends Typed {
  kind: 'class' | 'function' | 'variable' | 'mixin';
  customElement?: boolean;
  tagName?: string;
  superclass?: { name: string; package?: string; module?: string };
  attributes?: Attribute[];
  members?: Member[];
  events?: Typed[];
  cssProperties?: Typed[];
  cssParts?: Typed[];
  slots?: Typed[];
  parameters?: Parameter[];
  return?: { type?: { text: string } };
}
interface Module {
  path: string;
  declarations?: Declaration[];
  exports?: { kind: string; name: string; declaration: { name: string; module?: string } }[];
}
interface Manifest {
  modules: Module[];
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string | undefined) => (text ?? '').replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
const code = (text: string | undefined) => (text ? `\`${cell(text).replace(/`/g, "'")}\`` : '');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function signature(f: { name: string; parameters?: Parameter[]; return?: { type?: { text: string } } }): string {
  const parameters = (f.parameters ?? []).map((p) => `${p.name}${p.optional || p.default !== undefined ? '?' : ''}: ${p.type?.text ?? 'unknown'}`);
  return `${f.name}(${parameters.join(', ')}): ${f.return?.type?.text ?? 'void'}`;
}

/** `dist/filmless-viewer.js` → `filmless/filmless-viewer.js`, through package.json's `exports`. */
function specifierOf(packageJson: { name: string; exports: Record<string, string | Record<string, string>> }, file: string): string {
  for (const [subpath, target] of Object.entries(packageJson.exports)) {
    const targets = typeof target === 'string' ? [target] : Object.values(target);
    if (targets.some((t) => path.posix.normalize(t) === file)) return path.posix.join(packageJson.name, subpath);
  }
  return `${packageJson.name}/${file}`;
}

/** Exported types of the package's declarations (dist/types/index.d.ts), read with the TypeScript compiler. */
function exportedTypes(indexDts: string): Map<string, { text: string; description: string }> {
  const program = ts.createProgram([indexDts], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(indexDts);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${indexDts}: no module`);
  const found = new Map<string, { text: string; description: string }>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
    if (!declaration) continue;
    const description = ts.displayPartsToString(symbol.getDocumentationComment(checker));
    const text = declaration
      .getText()
      .replace(/^export\s+/, '')
      .replace(/^declare\s+/, '')
      // tsc indents declaration files by four spaces; two reads better on a web page.
      .replace(/^( {4})+/gm, (indent) => ' '.repeat(indent.length / 2));
    found.set(exported.name, { text, description });
  }
  return found;
}

/** Type names in `texts` that the package exports, then the ones those mention, in order of appearance. */
function referencedTypes(texts: string[], types: Map<string, { text: string }>): string[] {
  const order: string[] = [];
  const visit = (text: string) => {
    for (const [name] of text.matchAll(/\b[A-Z]\w*\b/g)) {
      if (!types.has(name) || order.includes(name)) continue;
      order.push(name);
      visit(types.get(name)!.text);
    }
  };
  texts.forEach(visit);
  return order;
}

/** The reference page, as docs/api.md holds it. */
export function renderApiDocs(options: { manifestPath?: string; typesIndexPath?: string; packageJsonPath?: string } = {}): string {
  const manifestPath = options.manifestPath ?? path.join(REPO, 'dist/custom-elements.json');
  const typesIndexPath = options.typesIndexPath ?? path.join(REPO, 'dist/types/index.d.ts');
  const packageJson = JSON.parse(readFileSync(options.packageJsonPath ?? path.join(REPO, 'package.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const types = exportedTypes(typesIndexPath);
  const typeTexts: string[] = [];
  const typeOf = (item: { type?: { text: string } }) => {
    if (item.type?.text) typeTexts.push(item.type.text);
    return code(item.type?.text);
  };
  const out: string[] = [
    '# API reference',
    '',
    '<!-- Generated by `npm run docs:api` from dist/custom-elements.json and dist/types (run `npm run build` first).',
    '     Do not edit: change the JSDoc in src/ instead. test/node/api-docs.test.ts fails when this page is stale. -->',
    '',
    `Package \`${packageJson.name}\` ${packageJson.version}. The [README](../README.md#the-contract) explains the contract with examples.`,
    '',
  ];

  const definitions = manifest.modules.flatMap((m) => (m.exports ?? []).filter((e) => e.kind === 'custom-element-definition').map((e) => ({ module: m.path, ...e })));
  const declarations = manifest.modules.flatMap((m) => (m.declarations ?? []).map((d) => ({ module: m.path, declaration: d })));

  for (const { module, declaration: element } of declarations.filter((d) => d.declaration.customElement)) {
    const definedBy = definitions.filter((d) => d.declaration.name === element.name);
    out.push(`## \`<${element.tagName}>\``, '');
    if (element.summary) out.push(`**${cell(element.summary)}**`, '');
    if (element.description) out.push(element.description, '');
    out.push(
      `Class \`${element.name}\`${element.superclass ? ` (extends \`${element.superclass.name}\`${element.superclass.package ? ` from \`${element.superclass.package}\`` : ''})` : ''}, exported by \`${specifierOf(packageJson, module)}\`.`,
      ...definedBy.map((d) => `Importing \`${specifierOf(packageJson, d.module)}\` registers \`<${d.name}>\`.`),
      '',
    );

    const members = (element.members ?? []).filter((m) => !m.privacy || m.privacy === 'public');
    out.push('### Attributes', '');
    out.push(
      table(
        ['attribute', 'property', 'type', 'default', 'description'],
        (element.attributes ?? []).map((a) => [code(a.name), a.fieldName ? code(a.fieldName) : '—', typeOf(a), code(a.default), `${a.readonly ? '(read-only) ' : ''}${cell(a.description)}`.trim()]),
      ),
      '',
    );

    const fields = members.filter((m) => m.kind === 'field');
    out.push('### Properties', '');
    out.push(
      table(
        ['property', 'attribute', 'type', 'default', 'description'],
        fields.map((f) => [
          code(f.static ? `${element.name}.${f.name}` : f.name),
          f.attribute ? code(f.attribute) : '—',
          typeOf(f),
          code(f.default),
          `${f.static ? '(static) ' : ''}${f.readonly ? '(read-only) ' : ''}${cell(f.description)}`.trim(),
        ]),
      ),
      '',
    );

    const methods = members.filter((m) => m.kind === 'method');
    out.push('### Methods', '');
    out.push(
      table(
        ['method', 'description'],
        methods.map((m) => {
          for (const p of m.parameters ?? []) typeOf(p);
          if (m.return?.type) typeOf(m.return);
          return [code(signature(m)), cell(m.description)];
        }),
      ),
      '',
    );

    out.push('### Events', '', 'All events bubble and are composed (they cross shadow roots).', '');
    const detailLink = (text: string | undefined) => {
      const detail = text?.match(/^CustomEvent<(\w+)>$/)?.[1];
      return detail && types.has(detail) ? `[\`${detail}\`](#${detail.toLowerCase()})` : '';
    };
    out.push(
      table(['event', 'type', 'detail', 'description'], (element.events ?? []).map((e) => [code(e.name), typeOf(e), detailLink(e.type?.text), cell(e.description)])),
      '',
    );

    out.push('### CSS custom properties', '');
    out.push(table(['property', 'description'], (element.cssProperties ?? []).map((p) => [code(p.name), cell(p.description)])), '');
    out.push('### CSS parts', '');
    out.push(table(['part', 'description'], (element.cssParts ?? []).map((p) => [code(p.name), cell(p.description)])), '');
    out.push('### Slots', '');
    out.push(element.slots?.length ? table(['slot', 'description'], element.slots.map((s) => [s.name ? code(s.name) : '(default)', cell(s.description)])) : 'None: the element renders everything itself.', '');
  }

  const others = declarations.filter((d) => !d.declaration.customElement);
  if (others.length > 0) {
    out.push('## Other exports', '');
    for (const { module, declaration: d } of others) {
      const from = specifierOf(packageJson, module);
      if (d.kind === 'function') {
        for (const p of d.parameters ?? []) typeOf(p);
        if (d.return?.type) typeOf(d.return);
        out.push(`### \`${d.name}\``, '', `Function, from \`${from}\`: \`${signature(d)}\``, '');
      } else if (d.kind === 'class') {
        out.push(`### \`${d.name}\``, '', `Class, from \`${from}\`${d.superclass ? `, extends \`${d.superclass.name}\`` : ''}.`, '');
      } else {
        out.push(`### \`${d.name}\``, '', `Constant, from \`${from}\`${d.type ? `: ${typeOf(d)}` : ''}.`, '');
      }
      if (d.description) out.push(d.description, '');
      if (d.kind === 'function' && d.parameters?.some((p) => p.description)) {
        out.push(table(['parameter', 'type', 'description'], d.parameters.map((p) => [code(p.name), typeOf(p), cell(p.description)])), '');
      }
      const fields = (d.members ?? []).filter((m) => m.kind === 'field' && (!m.privacy || m.privacy === 'public'));
      if (d.kind === 'class' && fields.length > 0) {
        out.push(table(['property', 'type', 'description'], fields.map((f) => [code(f.name), typeOf(f), `${f.readonly ? '(read-only) ' : ''}${cell(f.description)}`.trim()])), '');
      }
      if (d.kind === 'variable' && d.default) out.push('```ts', cell(d.default), '```', '');
    }
  }

  const referenced = referencedTypes(typeTexts, types);
  if (referenced.length > 0) {
    out.push('## Types', '', `Exported from \`${packageJson.name}\` for TypeScript (\`import type { … } from '${packageJson.name}'\`).`, '');
    for (const name of referenced) {
      const type = types.get(name)!;
      out.push(`### \`${name}\``, '');
      if (type.description) out.push(type.description, '');
      out.push('```ts', type.text, '```', '');
    }
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = renderApiDocs();
  if (process.argv.includes('--check')) {
    const current = readFileSync(API_DOCS_PATH, 'utf8');
    if (current !== page) {
      console.error('docs/api.md is stale: run `npm run build && npm run docs:api`');
      process.exit(1);
    }
    console.log('docs/api.md is up to date');
  } else {
    writeFileSync(API_DOCS_PATH, page);
    console.log(`wrote ${path.relative(REPO, API_DOCS_PATH)}`);
  }
}

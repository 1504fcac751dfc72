// Configuration of `cem analyze` (run by `npm run build`): writes dist/custom-elements.json, the manifest
// that IDEs, documentation tools and docs/api.md (scripts/api-docs.ts) read.
//
// The analyzer reads the TypeScript sources; the package ships a bundle. The plugin below turns what it
// found into a manifest of the package as a user sees it: one module per entry point of package.json's
// `exports` (dist/index.js, dist/filmless-viewer.js), holding the public declarations those entry points
// export, the private and protected members of the element left out, and the tag's definition in the
// module whose import registers it. test/element/manifest.test.ts checks the result against the element.

/** Source entry point → the file of the package that a user imports. */
const ENTRY_POINTS = {
  'src/index.ts': 'dist/index.js',
  'src/cdn.ts': 'dist/filmless-viewer.js',
};

/** The module whose import registers the tag, with its tag name and class. */
const DEFINITION = { module: 'src/cdn.ts', tagName: 'filmless-viewer', className: 'FilmlessViewer' };

/** Custom element callbacks: called by the browser, not by users of the element. */
const CALLBACKS = new Set(['connectedCallback', 'disconnectedCallback', 'adoptedCallback', 'attributeChangedCallback']);

/**
 * `./viewer/x.js` seen from `src/index.ts` → `src/viewer/x.ts`. The analyzer writes named re-exports as
 * they are in the source and `export *` relative to the root (`src/index.js`).
 */
function resolveSpecifier(fromPath, specifier) {
  if (!specifier.startsWith('.')) return specifier.replace(/\.js$/, '.ts');
  const parts = fromPath.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/').replace(/\.js$/, '.ts');
}

/** Follows a module's JavaScript exports to the declarations they name (type-only exports have none). */
function collectExports(modulesByPath, path, seen = new Set()) {
  const module = modulesByPath.get(path);
  if (!module || seen.has(path)) return [];
  seen.add(path);
  const found = [];
  for (const exported of module.exports ?? []) {
    if (exported.kind !== 'js') continue;
    const target = resolveSpecifier(path, exported.declaration.module ?? path);
    if (exported.name === '*') {
      found.push(...collectExports(modulesByPath, target, seen));
      continue;
    }
    const declaration = modulesByPath.get(target)?.declarations?.find((d) => d.name === exported.declaration.name);
    if (declaration) found.push({ name: exported.name, declaration });
    else found.push(...collectExports(modulesByPath, target, seen).filter((e) => e.name === exported.declaration.name));
  }
  return found;
}

/** The type TypeScript infers for a parameter with a literal default and no annotation (`lang = 'en'`). */
function inferredType(value) {
  if (/^(['"`]).*\1$/s.test(value)) return 'string';
  if (/^-?[\d_.]+$/.test(value)) return 'number';
  if (value === 'true' || value === 'false') return 'boolean';
  return undefined;
}

function withParameterTypes(functionLike) {
  if (!functionLike.parameters) return functionLike;
  const parameters = functionLike.parameters.map((p) =>
    p.type || p.default === undefined || !inferredType(p.default) ? p : { ...p, type: { text: inferredType(p.default) } },
  );
  return { ...functionLike, parameters };
}

/** A reference to a declaration in a source module the package does not export (src/viewer/api/…). */
const isInternal = (reference) => /^\/?src\//.test(reference?.module ?? '');

/**
 * The public surface of a class: no private or protected members, no browser callbacks. The element's
 * class chain inside the package (src/viewer/api/: one link per feature's methods) is flattened: its
 * members are the element's own, and its superclass is LitElement, as a user of the package sees it.
 */
function publicClass(declaration) {
  const members = (declaration.members ?? [])
    .filter((m) => m.privacy !== 'private' && m.privacy !== 'protected' && !m.name.startsWith('#') && !CALLBACKS.has(m.name))
    .map(({ inheritedFrom, ...m }) => (isInternal(inheritedFrom) ? m : { ...m, ...(inheritedFrom ? { inheritedFrom } : {}) }))
    .map((m) => (m.kind === 'method' ? withParameterTypes(m) : m));
  if (isInternal(declaration.superclass)) declaration = { ...declaration, superclass: { name: 'LitElement', package: 'lit' } };
  const fields = new Set(members.filter((m) => m.kind === 'field').map((m) => m.name));
  const attributes = (declaration.attributes ?? []).map((attribute) =>
    // An attribute documented on the class (`@attr token`) names the property it feeds when there is one.
    attribute.fieldName || !fields.has(attribute.name) ? attribute : { ...attribute, fieldName: attribute.name },
  );
  const attributeOf = new Map(attributes.filter((a) => a.fieldName).map((a) => [a.fieldName, a.name]));
  const linked = members.map((m) => (m.kind === 'field' && !m.static && !m.attribute && attributeOf.has(m.name) ? { ...m, attribute: attributeOf.get(m.name) } : m));
  return { ...declaration, members: linked, attributes };
}

function packageModulesPlugin() {
  return {
    name: 'filmless-package-modules',
    packageLinkPhase({ customElementsManifest }) {
      const modulesByPath = new Map(customElementsManifest.modules.map((m) => [m.path, m]));
      const modules = [];
      const declaredIn = new Map();
      for (const [source, target] of Object.entries(ENTRY_POINTS)) {
        const exported = collectExports(modulesByPath, source);
        if (exported.length === 0) throw new Error(`custom-elements-manifest: nothing exported from ${source}`);
        const module = { kind: 'javascript-module', path: target, declarations: [], exports: [] };
        for (const { name, declaration } of exported) {
          // A declaration lives in the first entry point that exports it; later ones re-export it from there.
          const home = declaredIn.get(declaration) ?? target;
          if (home === target) {
            declaredIn.set(declaration, target);
            const published = declaration.kind === 'class' ? publicClass(declaration) : declaration.kind === 'function' ? withParameterTypes(declaration) : declaration;
            module.declarations.push(published);
          }
          module.exports.push({ kind: 'js', name, declaration: { name: declaration.name, module: home } });
        }
        if (source === DEFINITION.module) {
          const home = [...declaredIn].find(([d]) => d.name === DEFINITION.className)?.[1];
          if (!home) throw new Error(`custom-elements-manifest: ${DEFINITION.className} is not exported`);
          module.exports.push({ kind: 'custom-element-definition', name: DEFINITION.tagName, declaration: { name: DEFINITION.className, module: home } });
        }
        modules.push(module);
      }
      customElementsManifest.modules = modules;
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.worker.ts', 'src/**/*.d.ts'],
  outdir: 'dist',
  litelement: true,
  // The build must not write to package.json (its `customElements` field is kept by hand).
  packagejson: false,
  plugins: [packageModulesPlugin()],
};

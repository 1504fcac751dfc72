#!/usr/bin/env bash
# Sourced by scripts/test.sh and .ci/run: makes `node` a version package.json's `engines` supports.
# A machine whose Node.js is older (Debian 12 ships 18; many machines still have 20) gets the version in
# .nvmrc from the npm registry, where the official Node.js build is published as the package
# node-<os>-<arch>, and keeps it in .cache/node. Nothing is installed when the machine's Node fits.
ensure_supported_node() {
  local repo required current wanted os arch package dir
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  required="$(node -p "require('$repo/package.json').engines.node.replace(/^>=\\s*/, '')")"
  current="$(node -p 'process.versions.node')"
  if node -e "
    const [a, b] = [process.argv[1], process.argv[2]].map((v) => v.split('.').map(Number));
    process.exit((a[0] - b[0] || a[1] - b[1] || a[2] - (b[2] ?? 0)) < 0 ? 1 : 0);" "$current" "$required"; then
    return 0
  fi
  wanted="$(tr -d ' \nv' < "$repo/.nvmrc")"
  os="$(node -p 'process.platform')"
  arch="$(node -p 'process.arch')"
  package="node-$os-$arch"
  dir="$repo/.cache/node/$wanted"
  if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
    echo "Node.js $current is older than the $required this project needs: installing $wanted ($package) into .cache/node"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$package@$wanted" >/dev/null
  fi
  export PATH="$dir/node_modules/$package/bin:$PATH"
}
ensure_supported_node

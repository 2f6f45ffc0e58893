# Sourced by the scripts: tool paths shared by setup, serve, test and bench.
# wasm-opt comes from npm's binaryen 132 (Debian's binaryen 108 breaks the app at load).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
log() { printf '\033[1;34m[%s]\033[0m %s\n' "$(basename "$0")" "$*"; }

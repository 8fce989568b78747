#!/usr/bin/env sh
# Type-checks the SST app for real, offline: `sst install` writes SST's
# component sources and the Pulumi AWS provider's types to .sst/platform (from
# the npm registry alone, ~1 min, ~300 MB), then tsc checks sst.config.ts and
# stacks/ against them (tsconfig.sst.json). SST's own state and npm cache live
# in .cache/sst-home (git-ignored, cacheable); a second run with the same SST
# version skips the install.
set -eu
cd "$(dirname "$0")/.."
want=$(node -p "JSON.parse(require('fs').readFileSync('node_modules/sst/package.json','utf8')).version")
have=$(cat .sst/platform/version 2>/dev/null || true)
if [ "$want" != "$have" ] || [ ! -d .sst/platform/node_modules/@pulumi/aws ]; then
  echo "check:infra: sst install (SST $want; had ${have:-none})"
  mkdir -p .cache/sst-home
  HOME="$PWD/.cache/sst-home" SST_NO_BUN=1 SST_STAGE=dev SST_SKIP_DEPENDENCY_CHECK=1 \
    SST_TELEMETRY_DISABLED=1 npx sst install
fi
tsc -p tsconfig.sst.json
echo "check:infra: sst.config.ts and stacks/ type-check against SST $want"

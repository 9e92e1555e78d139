#!/usr/bin/env bash
# Builds the lightstream image (deploy/Dockerfile) from a static binary built
# on the host: the image is FROM scratch and nothing is pulled.
#
#   scripts/build-image.sh [TAG]      # default lightstream:dev, or $LIGHTSTREAM_IMAGE
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-${LIGHTSTREAM_IMAGE:-lightstream:dev}}"
# The commit is stamped explicitly: GOFLAGS may hold -buildvcs=false.
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
CGO_ENABLED=0 go build -ldflags "-X github.com/lightstream-io/lightstream/internal/app/cli.Commit=$commit" -o deploy/lightstream ./cmd/lightstream
docker build -q -t "$tag" deploy >/dev/null
echo "$tag"

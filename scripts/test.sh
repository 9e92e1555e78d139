#!/usr/bin/env bash
# The project's test command (README "Tests"): vet, then every unit and
# end-to-end test of the main module with the race detector, then the
# container tests (tests/containers, a module of its own) when Docker
# answers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
go vet ./...
go test -race -timeout 30m ./...
if docker info >/dev/null 2>&1; then
    (cd tests/containers && go vet ./... && go test -count=1 -timeout 20m ./...)
else
    echo "docker not available: skipping tests/containers (image, compose, Kubernetes checks that need Docker)"
    (cd tests/containers && go test -count=1 -run 'Manifests|Compose|Figures' ./...)
fi

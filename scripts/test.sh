#!/usr/bin/env bash
# The project's test command (README "Tests"): vet, then every unit and
# end-to-end test of the main module with the race detector, then the
# container tests (tests/containers, a module of its own) when Docker
# answers.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
go vet ./...
# -json through scripts/testsummary: package results as usual, the output
# of failed tests, then the skipped tests by name and reason, and
# "N passed, N failed, N skipped". Under CI=true a missing golden input
# fails its test instead of skipping it (internal/golden).
summary=$(mktemp -d)/testsummary
trap 'rm -rf "$(dirname "$summary")"' EXIT
go build -o "$summary" ./scripts/testsummary
go test -race -timeout 30m -json ./... | "$summary"
if docker info >/dev/null 2>&1; then
    (cd tests/containers && go vet ./... && go test -count=1 -timeout 20m ./...)
else
    echo "docker not available: skipping tests/containers (image, compose, Kubernetes checks that need Docker)"
    (cd tests/containers && go test -count=1 -run 'Manifests|Compose|Figures' ./...)
fi

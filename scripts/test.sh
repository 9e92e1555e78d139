#!/usr/bin/env bash
# The project's test command (README "Tests"): vet, then every unit and
# end-to-end test of the main module with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
go vet ./...
go test -race -timeout 30m ./...

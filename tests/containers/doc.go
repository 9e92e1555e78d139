// Package containers holds the end-to-end tests of lightstream's deployment
// artefacts (deploy/): the FROM scratch image, the compose file and the
// Kubernetes manifests.
//
// It is a module of its own: testcontainers-go needs a gRPC newer than the
// one client-go builds with, so this module must never import client-go or
// a package of the main module that does. The tests build the binary with
// `go build` in the repository root and drive it only through containers.
//
//	cd tests/containers && go test ./...
//
// Tests that need Docker skip when it is not reachable. Environment:
//
//	LIGHTSTREAM_IMAGE   use this image instead of building deploy/Dockerfile
//	LIGHTSTREAM_SHARED  the shared folder holding corpora/ (default <repo>/../shared)
package containers

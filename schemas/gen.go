// Package schemas holds the versioned message formats of every lightstream
// topic (Protocol Buffers under proto/, generated Go in lsv1/), the topic
// names, and how keys are partitioned.
//
// Regenerate lsv1 after changing a .proto file (needs protoc and
// protoc-gen-go v1.36.12 on PATH):
//
//	go generate ./schemas
package schemas

//go:generate protoc --proto_path=proto --go_out=.. --go_opt=module=github.com/lightstream-io/lightstream proto/lightstream/v1/chunk.proto proto/lightstream/v1/manifest.proto proto/lightstream/v1/kv.proto proto/lightstream/v1/events.proto proto/lightstream/v1/conflicts.proto

// Package tidbcodec holds the byte layouts TiDB writes into TiKV: record and
// index keys, the memcomparable datum encoding, row formats v1 and v2, index
// values and the Lightning KV checksum. It knows nothing about SQL text: a
// caller hands it datums that are already in their stored form (see package
// datum) and gets TiDB's exact bytes back.
//
// The rules follow /work/shared/tidb-encoding/SPEC.md, which cites TiDB's
// pkg/tablecodec, pkg/util/codec and pkg/util/rowcodec.
package tidbcodec

import "errors"

// ErrCorrupt is wrapped by every decode error caused by malformed input.
var ErrCorrupt = errors.New("tidbcodec: corrupt data")

// ErrUnsupported is wrapped when a datum kind or flag has no layout here.
var ErrUnsupported = errors.New("tidbcodec: unsupported")

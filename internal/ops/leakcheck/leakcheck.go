// Package leakcheck runs a package's tests under go.uber.org/goleak: a
// goroutine that outlives the tests fails them. Every goroutine lightstream
// starts has an owner that waits for it (an errgroup, or a stop function
// that cancels and waits); the ignores below are background goroutines of
// third-party libraries that live for the process by design.
package leakcheck

import (
	"testing"

	"go.uber.org/goleak"
)

// Options are the goleak options the stage and pipeline tests share.
func Options() []goleak.Option {
	return []goleak.Option{
		// badger's ristretto allocator pool: a package-level pool created
		// at init whose cleaner runs for the process.
		goleak.IgnoreTopFunction("github.com/dgraph-io/ristretto/v2/z.(*AllocatorPool).freeupAllocators"),
		// kafka-go's DefaultTransport (every kafka.Writer and kafka.Client
		// without a Transport of its own) keeps a connection pool per
		// broker set for the process: its metadata refresher and its idle
		// connections stay until CloseIdleConnections.
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*connPool).discover"),
		goleak.IgnoreTopFunction("github.com/segmentio/kafka-go.(*conn).run"),
		// goleveldb (the embedded store's MVCC files) drains its memory
		// pool for up to a second after DB.Close returns.
		goleak.IgnoreTopFunction("github.com/pingcap/goleveldb/leveldb.(*DB).mpoolDrain"),
	}
}

// Main runs m and fails it when goroutines other than those of Options
// are left running.
func Main(m *testing.M) {
	goleak.VerifyTestMain(m, Options()...)
}

// Package cluster holds lightstream's tests against a store reached over
// the network through PD: `lightstream store` runs as a separate process
// (built from this tree with go build), and the importer, sorters, broker,
// export and switch-mode run as further processes with --pd, exactly as a
// deployment against a real TiDB cluster would run them.
//
// What is checked against independent oracles: every sakila table
// exported through --pd matches the expected checks a MySQL server
// computed (row count, SUM and BIT_XOR of CRC32 over the row text);
// physical ingest splits regions ahead of the data (PD's region count);
// region errors the store injects (`lightstream store
// --inject-region-errors N`) are met and retried; import mode is reported
// by the store's ImportSST GetMode after a killed importer and restored by
// `lightstream switch-mode` and by the next run.
//
// BenchmarkClusterIngest compares physical and txn ingest into the store
// in MB/s and keys/s.
package cluster

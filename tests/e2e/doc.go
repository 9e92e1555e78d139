// Package e2e holds lightstream's end-to-end correctness tests: each test
// imports a real dump in-process through internal/app/pipeline (two encoders and
// two sorters, the embedded kfake broker on loopback TCP, the embedded
// TiKV-protocol store), reads the tables back out through internal/app/export
// (or the CLI app run in-process) and checks the rows against oracles
// computed independently of lightstream: the expected checks of the sakila
// corpus (computed by a MySQL-compatible server) and the values TiDB
// Lightning's own integration tests expect (lightning-cases/*/notes.md).
//
// The corpora live in the shared directory beside the repository
// (<repo>/../shared, or $LIGHTSTREAM_SHARED); tests skip when it is absent.
package e2e

// Package faults holds lightstream's fault-tolerance tests: encoders and
// sorters killed mid-work, the all-in-one process killed with SIGKILL,
// consumers joining and leaving their groups, and replays. Each test
// drives a real import on the embedded broker and store and checks the
// result against independent oracles: the expected checks of the sakila
// corpus (row counts and CRC32 figures a MySQL server computed) and the
// coordinator's comparison of the store's checksum with the encoders'.
//
// The guarantee under test: Kafka delivers at least once; lightstream
// turns that into effectively once (deterministic encoding, idempotent
// engine writes, each chunk's end-of-chunk marker counted once), so a
// crashed import that is run again finishes with exact data.
package faults

// Package conflict detects and resolves rows of a dump that share a
// primary or unique key, as TiDB Lightning's [conflict] section does.
//
// Every KV pair carries the place of its row in the dump (Pos: the
// chunk's index in the table's manifest, the row's byte offset in its
// file), so "the later row" is a property of the dump, not of the order
// in which encoders finished or sorters read. With detection on, a sorter
// stores each pair under its key followed by the row's place (Suffix):
// two rows holding one key stay two entries, adjacent in the engine, and
// a re-delivered pair rewrites its own entry. Once a partition is
// complete, Scan lists its duplicate keys; the table's partitions
// exchange them (the conflicts topic) and each computes, from the same
// list, the same losing rows (Resolve); Filter then ingests the engine
// without the losing rows' pairs, in every partition, so that a row
// loses its record and all its index entries together.
package conflict

import (
	"errors"
	"fmt"
	"strings"
)

// Strategy is what to do with rows that share a key: conflict.strategy.
type Strategy string

// The strategies, by Lightning's names.
const (
	// None detects nothing: pairs with one key collapse in the engine
	// (the later written wins) and the checksum comparison fails.
	None Strategy = ""
	// Error stops at the first duplicate key, naming both rows.
	Error Strategy = "error"
	// Replace keeps, for every key, the row that comes last in the dump,
	// as REPLACE INTO row by row would: a row that loses any key loses
	// all its pairs.
	Replace Strategy = "replace"
	// Ignore keeps the row that comes first, as INSERT IGNORE row by row
	// would.
	Ignore Strategy = "ignore"
)

// ErrConfig reports an invalid conflict setting.
var ErrConfig = errors.New("invalid conflict configuration")

// ParseStrategy reads a strategy as Lightning does: case-insensitive,
// "none" is "", and the former duplicate-resolution values "record" and
// "remove" are "replace" (deprecated is true then).
func ParseStrategy(s string) (st Strategy, deprecated bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return None, false, nil
	case "error":
		return Error, false, nil
	case "replace":
		return Replace, false, nil
	case "ignore":
		return Ignore, false, nil
	case "record", "remove":
		return Replace, true, nil
	}
	return None, false, fmt.Errorf("%w: conflict.strategy %q: choose one of '', 'replace', 'ignore', 'error'", ErrConfig, s)
}

// DefaultThreshold is Lightning's default conflict.threshold for the
// strategies that resolve (DefaultRecordDuplicateThreshold).
const DefaultThreshold = 10000

// Config is the [conflict] section.
type Config struct {
	// Strategy: conflict.strategy (default None).
	Strategy Strategy
	// Threshold: stop the import once more than this many rows lost a
	// conflict (conflict.threshold). Negative: the default, which is
	// DefaultThreshold for Replace and Ignore and 0 (no limit) otherwise;
	// 0: no limit. It cannot be set with Error, which stops at the first.
	Threshold int64
	// MaxRecordRows: how many conflicts the report records per table
	// (conflict.max-record-rows). Negative: Threshold, or DefaultThreshold
	// without one, as Lightning does.
	MaxRecordRows int64
}

// Adjust fills the defaults and checks the combination, with Lightning's
// rules.
func (c *Config) Adjust() error {
	switch c.Strategy {
	case None, Error, Replace, Ignore:
	default:
		return fmt.Errorf("%w: conflict.strategy %q", ErrConfig, c.Strategy)
	}
	if c.Threshold > 0 && c.Strategy == Error {
		return fmt.Errorf(`%w: conflict.threshold cannot be set when conflict.strategy = "error" (it stops at the first conflict)`, ErrConfig)
	}
	if c.Threshold < 0 {
		c.Threshold = 0
		if c.Strategy == Replace || c.Strategy == Ignore {
			c.Threshold = DefaultThreshold
		}
	}
	if c.MaxRecordRows < 0 {
		c.MaxRecordRows = c.Threshold
		if c.MaxRecordRows == 0 {
			c.MaxRecordRows = DefaultThreshold
		}
	}
	return nil
}

// Enabled reports whether conflicts are detected at all.
func (c Config) Enabled() bool { return c.Strategy != None }

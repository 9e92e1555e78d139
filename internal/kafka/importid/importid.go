// Package importid keeps imports that share a Kafka cluster apart. Every
// topic and consumer group of an import is named from its id (see
// schemas.Topic and schemas.Groups); this package makes a new import's id,
// checks that an id given on a rerun is the recorded one, waits for an
// import to exist before a member joins it, refuses another dump's
// manifests under an import's id, and lists and deletes an import's
// topics.
package importid

import (
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// EnvVar is the environment variable every role reads the id from when
// --import-id is not given.
const EnvVar = "LIGHTSTREAM_IMPORT_ID"

// Legacy is the id every import had before ids were generated: a work
// directory whose checkpoint records none (an older build stopped before
// its coordinator started) resumes under it.
const Legacy = "lightstream"

// MaxLen is the longest id accepted. With the "ls--" prefix, the escaping
// of schemas.TopicName (at most three characters per byte) and a topic
// suffix, a KV topic name still keeps the whole id before its hash cut.
const MaxLen = 64

// Errors callers branch on.
var (
	// ErrInvalid: an id that is empty, too long or has characters other
	// than letters, digits, '_', '-' and '.'.
	ErrInvalid = errors.New("invalid import id")
	// ErrMismatch: --import-id differs from the id the work directory
	// records.
	ErrMismatch = errors.New("import id differs from the one the work directory records")
	// ErrMissing: a role started on its own was given no id.
	ErrMissing = errors.New("no import id")
	// ErrNoImport: the import's topics do not exist on the cluster.
	ErrNoImport = errors.New("no such import")
	// ErrOtherDump: the import's manifests topic holds another dump's
	// manifests.
	ErrOtherDump = errors.New("the import's topics hold another dump")
	// ErrGroupActive: the import still has consumer-group members.
	ErrGroupActive = errors.New("the import's consumer groups have members")
)

// Validate checks an id given by a user. Only letters, digits, '_', '-'
// and '.' are allowed, so that the id reads the same in topic names
// (where '-' and '.' are escaped), group names, shells and YAML.
func Validate(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty", ErrInvalid)
	}
	if len(id) > MaxLen {
		return fmt.Errorf("%w %q: %d characters, at most %d", ErrInvalid, id, len(id), MaxLen)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(isWord(c) || c == '-' || c == '.') {
			return fmt.Errorf("%w %q: character %q at %d (letters, digits, '_', '-' and '.' only)", ErrInvalid, id, c, i)
		}
	}
	return nil
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// maxNameLen bounds the name part of a generated id.
const maxNameLen = 32

// randomLen is the length of a generated id's random part: 6 characters
// of base32, 30 bits, so that two imports of one name on one day do not
// meet.
const randomLen = 6

// Generate returns a new id "<name>_<yyyymmdd>_<random>" for an import of
// the named database or dump directory, made on day. The name is lowered
// and cut to 32 characters, and every run of characters other than ASCII
// letters and digits becomes one '_': the id uses only the characters
// schemas.TopicName keeps as they are, so topic names show it unescaped
// ("ls--sakila_20261206_k3x9qa--chunks"). A name with nothing left is
// "import".
func Generate(name string, day time.Time) string {
	var b strings.Builder
	gap := false
	for i := 0; i < len(name) && b.Len() < maxNameLen; i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteByte(c)
			continue
		}
		gap = true
	}
	n := strings.TrimRight(b.String(), "_")
	if n == "" {
		n = "import"
	}
	return fmt.Sprintf("%s_%s_%s", n, day.UTC().Format("20060102"), randomPart())
}

func randomPart() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var raw [randomLen]byte
	// crypto/rand.Read never fails (Go 1.24+: it panics instead).
	_, _ = rand.Read(raw[:])
	out := make([]byte, randomLen)
	for i, r := range raw {
		out[i] = alphabet[r&31]
	}
	return string(out)
}

// NameOf is the name a generated id starts with: the database when the
// import has exactly one, else the dump directory's base name.
func NameOf(databases []string, dumpDir string) string {
	if len(databases) == 1 && databases[0] != "" {
		return databases[0]
	}
	return filepath.Base(filepath.Clean(dumpDir))
}

// Resolve decides a work directory's import id: the recorded one, which
// given (--import-id, empty when not given) must equal; else given; else
// fresh (called only then). created reports a new import. workDir names
// the directory in errors; legacy marks a work directory that holds an
// import (its dump is recorded) but no id: an older build's, which ran
// under Legacy unless told otherwise.
func Resolve(workDir, recorded, given string, legacy bool, fresh func() string) (id string, created bool, err error) {
	if given != "" {
		if err := Validate(given); err != nil {
			return "", false, fmt.Errorf("--import-id: %w", err)
		}
	}
	switch {
	case recorded != "" && given != "" && given != recorded:
		return "", false, fmt.Errorf("%w: --import-id %s, but %s holds import %s: rerun without --import-id (or with --import-id %s) to resume it, or use another --work-dir for a new import",
			ErrMismatch, given, workDir, recorded, recorded)
	case recorded != "":
		return recorded, false, nil
	case legacy && given != "":
		return given, false, nil
	case legacy:
		return Legacy, false, nil
	case given != "":
		return given, true, nil
	default:
		return fresh(), true, nil
	}
}

// Require checks the id of a role started on its own (producer, encoder,
// sorter, coordinator): it must be given, and valid.
func Require(role, id string) error {
	if id == "" {
		return fmt.Errorf("%s: %w: give --import-id ID or set %s; every process of one import uses the same id (`lightstream import` prints the id it made; for a new import started role by role, choose one)",
			role, ErrMissing, EnvVar)
	}
	if err := Validate(id); err != nil {
		return fmt.Errorf("%s: --import-id: %w", role, err)
	}
	return nil
}

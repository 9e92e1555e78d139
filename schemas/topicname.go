package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxTopicNameLen is Kafka's limit on topic name length.
const MaxTopicNameLen = 249

// hashThreshold is the longest encoded name kept as is; longer ones are cut
// and suffixed with a hash to exactly MaxTopicNameLen characters, so a hashed
// name can never equal an unhashed one (their lengths differ).
const hashThreshold = MaxTopicNameLen - 17

// TopicName returns a legal, deterministic Kafka topic name for the given
// parts (a job id, a stage, a database and table name, ...), distinct for
// distinct part lists.
//
// Kafka allows only [a-zA-Z0-9._-] and treats '.' and '_' as the same
// character when checking for collisions (Kafka's Topic.hasCollision; kfake
// enforces it too), so the encoding never emits '.':
//
//   - ASCII letters, digits and '_' are kept (SQL names are mostly these);
//   - every other byte, including '-', '.' and each byte of UTF-8
//     sequences, becomes '-' followed by two lowercase hex digits;
//   - parts are joined with "--" (an escape's '-' is always followed by a
//     hex digit, so "--" only ever separates parts);
//   - an empty result is "-z";
//   - a result longer than 232 characters is cut to 231 and suffixed with
//     "-x" and 16 hex digits of its SHA-256, giving exactly 249.
//
// TopicName() and TopicName("") are both "-z".
func TopicName(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("--")
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
				b.WriteByte(c)
				continue
			}
			b.WriteByte('-')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	s := b.String()
	if s == "" {
		return "-z"
	}
	if len(s) <= hashThreshold {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return s[:MaxTopicNameLen-18] + "-x" + hex.EncodeToString(sum[:8])
}

const hexDigits = "0123456789abcdef"

// ValidTopicName reports whether name is a legal Kafka topic name.
func ValidTopicName(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > MaxTopicNameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

package dump

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// ErrInvalidEncoding: a schema file or a name is not valid text in the
// character set it is read in.
var ErrInvalidEncoding = errors.New("invalid schema encoding")

// Charset is a character set a dump's files may be written in
// (Lightning's config.Charset).
type Charset uint8

// The character sets of Lightning's [mydumper] character-set and
// data-character-set.
const (
	CharsetBinary Charset = iota // bytes as they are
	CharsetUTF8MB4
	CharsetGB18030
	CharsetGBK
	CharsetLatin1 // MySQL's latin1: Windows-1252
	CharsetASCII
	// CharsetAuto (schema files only): UTF-8 when the file is valid
	// UTF-8, else GB18030.
	CharsetAuto
)

func (c Charset) String() string {
	switch c {
	case CharsetUTF8MB4:
		return "utf8mb4"
	case CharsetGB18030:
		return "gb18030"
	case CharsetGBK:
		return "gbk"
	case CharsetLatin1:
		return "latin1"
	case CharsetASCII:
		return "ascii"
	case CharsetAuto:
		return "auto"
	}
	return "binary"
}

// ParseCharset reads a character set name as Lightning's ParseCharset
// does ("" is binary; utf8 is utf8mb4); auto is accepted when allowAuto
// (the schema files' character-set).
func ParseCharset(name string, allowAuto bool) (Charset, error) {
	switch strings.ToLower(name) {
	case "", "binary":
		return CharsetBinary, nil
	case "utf8", "utf8mb4":
		return CharsetUTF8MB4, nil
	case "gb18030":
		return CharsetGB18030, nil
	case "gbk":
		return CharsetGBK, nil
	case "latin1":
		return CharsetLatin1, nil
	case "ascii":
		return CharsetASCII, nil
	case "auto":
		if allowAuto {
			return CharsetAuto, nil
		}
	}
	want := "binary, utf8mb4, gb18030, gbk, latin1 or ascii"
	if allowAuto {
		want = "auto, " + want
	}
	return CharsetBinary, fmt.Errorf("character set %q not supported (want %s)", name, want)
}

// decoder returns the decoder to UTF-8, nil when the bytes are kept as
// they are.
func (c Charset) decoder() *encoding.Decoder {
	switch c {
	case CharsetGB18030:
		return simplifiedchinese.GB18030.NewDecoder()
	case CharsetGBK:
		return simplifiedchinese.GBK.NewDecoder()
	case CharsetLatin1:
		// MySQL's latin1 is Windows-1252, not ISO 8859-1, as Lightning
		// decodes it.
		return charmap.Windows1252.NewDecoder()
	}
	return nil
}

// DecodeSchema decodes a schema file's text to UTF-8 as Lightning's
// ExportStatement does for [mydumper] character-set: binary keeps the
// bytes, utf8mb4 requires valid UTF-8, auto takes valid UTF-8 as it is and
// decodes anything else as GB18030; gb18030, gbk and latin1 decode. A
// byte sequence the character set cannot decode is ErrInvalidEncoding (the
// file is not silently changed).
func DecodeSchema(data []byte, cs Charset) ([]byte, error) {
	switch cs {
	case CharsetBinary:
		return data, nil
	case CharsetUTF8MB4, CharsetASCII, CharsetAuto:
		if utf8.Valid(data) {
			return data, nil
		}
		if cs != CharsetAuto {
			return nil, fmt.Errorf("%w: not valid %s", ErrInvalidEncoding, cs)
		}
		cs = CharsetGB18030
	}
	out, err := cs.decoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidEncoding, cs, err)
	}
	// A decoder writes U+FFFD for what it cannot decode.
	if bytes.Contains(out, runeError) && !bytes.Contains(data, runeError) {
		at := bytes.IndexRune(out, utf8.RuneError)
		return nil, fmt.Errorf("%w: a byte sequence that is not %s (near %q of the decoded text)", ErrInvalidEncoding, cs, excerpt(out, at))
	}
	return out, nil
}

func excerpt(b []byte, at int) string {
	from, to := max(at-20, 0), min(at+20, len(b))
	return string(b[from:to])
}

// decodeName decodes a database or table name taken from a file name that
// is not UTF-8, with the schema files' character set: names go into
// protobuf string fields and TiDB identifiers, which must be UTF-8.
func decodeName(name string, cs Charset) (string, error) {
	if utf8.ValidString(name) {
		return name, nil
	}
	if cs == CharsetBinary || cs == CharsetUTF8MB4 || cs == CharsetASCII {
		cs = CharsetGB18030
	}
	b, err := DecodeSchema([]byte(name), cs)
	if err != nil {
		return "", fmt.Errorf("name %q: %w", name, err)
	}
	return string(b), nil
}

// ReadSchemaFileAs reads a (possibly compressed) schema file and decodes
// it to UTF-8 from cs, the dump's [mydumper] character-set: schema text
// goes into protobuf string fields and TiDB's DDL, which must be UTF-8.
func ReadSchemaFileAs(path string, cs Charset) ([]byte, error) {
	return ReadSchemaFileIn(nil, path, cs)
}

// ReadSchemaFileIn is ReadSchemaFileAs of a file of a storage (nil:
// local).
func ReadSchemaFileIn(st storage.Storage, path string, cs Charset) ([]byte, error) {
	b, err := readSchemaFile(st, path)
	if err != nil {
		return nil, err
	}
	if b, err = DecodeSchema(b, cs); err != nil {
		return nil, fmt.Errorf("schema file %s: read as %s ([mydumper] character-set): %w", path, cs, err)
	}
	if !utf8.Valid(b) {
		// binary keeps the bytes, but the text goes where only UTF-8 can.
		return nil, fmt.Errorf("schema file %s: %w: not UTF-8 and read as %s; give its character set with [mydumper] character-set (--character-set; auto decodes GB18030)", path, ErrInvalidEncoding, cs)
	}
	return b, nil
}

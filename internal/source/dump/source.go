package dump

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// Source is how a dump's files are named and written, beyond the
// filter: Lightning's [mydumper] keys. The zero Source is the default
// file naming, names compared without regard to case, and files read as
// bytes (the import command's default for schema files is auto, as
// Lightning's).
type Source struct {
	// FileRules are [[mydumper.files]]: a file the first matching rule
	// routes is that rule's; with rules, the default naming applies only
	// when DefaultFileRules ([mydumper] default-file-rules) is set, as in
	// Lightning.
	FileRules        []FileRule
	DefaultFileRules bool
	// CaseSensitive is [mydumper] case-sensitive, for the filter.
	CaseSensitive bool
	// BWList is the legacy [black-white-list]; when set it is the filter.
	BWList BWList
	// CharacterSet of the schema files: decodes names taken from file
	// names that are not UTF-8 (the schema text is decoded by whoever
	// reads it, with DecodeSchema).
	CharacterSet Charset
	// DataCharacterSet of the data files (default binary: no decoding)
	// and the text written for bytes it cannot decode (default U+FFFD).
	DataCharacterSet       Charset
	DataInvalidCharReplace string
}

// Filter returns the table filter: the [black-white-list] when it has
// rules, else the filter rules (nil: Lightning's default).
func (s Source) Filter(rules []string) (*Filter, error) {
	if !s.BWList.Empty() {
		return ParseBWList(s.BWList, s.CaseSensitive)
	}
	return ParseFilterCase(rules, s.CaseSensitive)
}

// Describe names what the source options select, for the checkpoint's
// record of an import ("" for the defaults).
func (s Source) Describe() string {
	var parts []string
	for _, r := range s.FileRules {
		parts = append(parts, fmt.Sprintf("file rule %s%s->%s|%s.%s|%s", r.Pattern, r.Path, r.Type, r.Schema, r.Table, r.Key))
	}
	if len(s.FileRules) > 0 && s.DefaultFileRules {
		parts = append(parts, "default file rules")
	}
	if !s.BWList.Empty() {
		parts = append(parts, fmt.Sprintf("black-white-list %v", s.BWList))
	}
	if s.CaseSensitive {
		parts = append(parts, "case-sensitive")
	}
	// The character sets decide the rows too: a resumed import must read
	// the files as the first run did.
	if s.CharacterSet != CharsetAuto && s.CharacterSet != CharsetBinary {
		parts = append(parts, "character-set "+s.CharacterSet.String())
	}
	if s.DataCharacterSet.decoder() != nil {
		parts = append(parts, fmt.Sprintf("data-character-set %s (invalid as %q)", s.DataCharacterSet, s.DataInvalidCharReplace))
	}
	return strings.Join(parts, "; ")
}

// ScanSource is ScanRouted with the source options.
func ScanSource(dir string, filter *Filter, router *Router, src Source) (*Dump, error) {
	return ScanStorage(storage.LocalDir(dir), filter, router, src)
}

// ScanStorage is ScanSource of a dump in any storage.
func ScanStorage(st storage.Storage, filter *Filter, router *Router, src Source) (*Dump, error) {
	rules := src.FileRules
	for i, r := range rules {
		if filepath.IsAbs(r.Path) {
			rel, err := st.Rel(r.Path)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("%w %d: file route path '%s' is not in source dir '%s'", ErrFileRule, i+1, r.Path, st.Root())
			}
			rules = append([]FileRule(nil), rules...)
			rules[i].Path = rel
		}
	}
	routes, err := compileFileRules(rules)
	if err != nil {
		return nil, err
	}
	return scan(st, filter, router, routes, src)
}

// addRouted records a file a [[mydumper.files]] rule routed.
func addRouted(d *Dump, res *routedFile, path string, e storage.Entry, filter *Filter, routed func(db, name string) *Table, getDB func(string) *Database, src Source) error {
	if res.Type == FileTypeIgnore {
		return nil
	}
	db, err := decodeName(res.Schema, src.CharacterSet)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	name, err := decodeName(res.Table, src.CharacterSet)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if db == "" {
		return fmt.Errorf("%s: the [[mydumper.files]] rule that matches it gives an empty schema", path)
	}
	if res.Type != FileTypeSchemaSchema && name == "" {
		return fmt.Errorf("%s: the [[mydumper.files]] rule that matches it gives an empty table", path)
	}
	switch res.Type {
	case FileTypeSchemaSchema:
		g := getDB(db)
		if g.SchemaFile == "" {
			g.SchemaFile = path
		}
		return nil
	}
	if !filter.Match(db, name) {
		return nil
	}
	switch res.Type {
	case FileTypeTableSchema:
		if t := routed(db, name); t.SchemaFile == "" {
			t.SchemaFile = path
		}
	case FileTypeViewSchema:
		d.Views = append(d.Views, View{DB: db, Name: name, SchemaFile: path})
	case FileTypeSQL, FileTypeCSV, FileTypeParquet:
		comp := res.Compression
		if !res.hasCompression {
			// Lightning reads such a file uncompressed; a .gz name
			// without a compression template means gzip here.
			comp = CompressionOf(path)
		}
		// Lightning sorts a table's files by the key as text (10 before
		// 2): the order decides the row IDs and AUTO_INCREMENT values
		// rows without one get.
		f := DataFile{Path: path, Index: -1, Key: res.Key, Compression: comp, Size: e.Size}
		switch res.Type {
		case FileTypeCSV:
			f.Format = FormatCSV
		case FileTypeParquet:
			// Parquet compresses inside the file (routeFile refuses a
			// compression for it).
			f.Format, f.Compression = FormatParquet, CompressionNone
		}
		t := routed(db, name)
		t.DataFiles = append(t.DataFiles, f)
	}
	return nil
}

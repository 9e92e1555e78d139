package dump

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// FileRule is one [[mydumper.files]] rule of Lightning (config.FileRouteRule,
// applied as mydump/router.go does): Pattern is a regexp matched against
// a file's path relative to the dump directory (with '/'), or Path names
// one file literally; Schema, Table, Type, Key and Compression are
// templates expanded with the match ($1, ${name}, $$ for a dollar).
type FileRule struct {
	Pattern, Path                         string
	Schema, Table, Type, Key, Compression string
}

// The file types of a rule's Type.
const (
	FileTypeSchemaSchema = "schema-schema"
	FileTypeTableSchema  = "table-schema"
	FileTypeViewSchema   = "view-schema"
	FileTypeSQL          = "sql"
	FileTypeCSV          = "csv"
	FileTypeParquet      = "parquet"
	FileTypeIgnore       = "ignore"
)

// ErrFileRule: a [[mydumper.files]] rule is malformed.
var ErrFileRule = errors.New("invalid [[mydumper.files]] rule")

type fileRoute struct {
	re   *regexp.Regexp
	rule FileRule
}

// routedFile is what a rule says about one file.
type routedFile struct {
	Type, Schema, Table, Key string
	// Compression is the rule's compression; hasCompression says the
	// rule gave one.
	Compression    Compression
	hasCompression bool
}

var templateVar = regexp.MustCompile(`\$(?:\$|[\pL\p{Nd}_]+|\{[\pL\p{Nd}_]+\})`)

// compileFileRules checks and compiles the rules, as Lightning's
// regexRouterParser does.
func compileFileRules(rules []FileRule) ([]fileRoute, error) {
	var out []fileRoute
	for i, r := range rules {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%w %d: %s", ErrFileRule, i+1, fmt.Sprintf(format, args...))
		}
		if r.Path == "" && r.Pattern == "" {
			return nil, fail("`path` and `pattern` must not be both empty")
		}
		if r.Path != "" && r.Pattern != "" {
			return nil, fail("can't set both `path` and `pattern`")
		}
		if r.Path != "" {
			// Not anchored, as in Lightning.
			r.Pattern = regexp.QuoteMeta(r.Path)
			q := func(t string) string { return strings.ReplaceAll(t, "$", "$$") }
			r.Schema, r.Table, r.Type, r.Key, r.Compression = q(r.Schema), q(r.Table), q(r.Type), q(r.Key), q(r.Compression)
		}
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return nil, fail("pattern %q: %v", r.Pattern, err)
		}
		fields := [][2]string{{"type", r.Type}}
		if r.Type != FileTypeIgnore {
			fields = append(fields, [2]string{"schema", r.Schema})
			if r.Type != FileTypeSchemaSchema {
				fields = append(fields, [2]string{"table", r.Table})
			}
			if r.Key != "" {
				fields = append(fields, [2]string{"key", r.Key})
			}
			if r.Compression != "" {
				fields = append(fields, [2]string{"compression", r.Compression})
			}
		}
		for _, f := range fields {
			if f[1] == "" {
				return nil, fail("field '%s' match pattern can't be empty", f[0])
			}
			for _, v := range templateVar.FindAllString(f[1], -1) {
				name := strings.Trim(strings.TrimPrefix(v, "$"), "{}")
				if v == "$$" {
					continue
				}
				if n, err := strconv.Atoi(name); err == nil {
					if n > re.NumSubexp() {
						return nil, fail("%s: sub pattern capture '%s' out of range", f[0], v)
					}
				} else if !slices.Contains(re.SubexpNames(), name) {
					return nil, fail("%s: invalid named capture '%s'", f[0], v)
				}
			}
		}
		out = append(out, fileRoute{re: re, rule: r})
	}
	return out, nil
}

// routeFile applies the first rule that matches path; nil when none does.
func routeFile(routes []fileRoute, path string) (*routedFile, error) {
	for _, fr := range routes {
		m := fr.re.FindStringSubmatchIndex(path)
		if m == nil {
			continue
		}
		expand := func(t string) string { return string(fr.re.ExpandString(nil, t, path, m)) }
		res := &routedFile{Type: strings.ToLower(strings.TrimSpace(expand(fr.rule.Type)))}
		switch res.Type {
		case FileTypeIgnore:
			return res, nil
		case FileTypeSchemaSchema, FileTypeTableSchema, FileTypeViewSchema, FileTypeSQL, FileTypeCSV, FileTypeParquet:
		default:
			return nil, fmt.Errorf("%w: unknown source type '%s'", ErrFileRule, res.Type)
		}
		res.Schema = expand(fr.rule.Schema)
		if res.Type != FileTypeSchemaSchema {
			res.Table = expand(fr.rule.Table)
		}
		if fr.rule.Key != "" {
			res.Key = expand(fr.rule.Key)
		}
		if fr.rule.Compression != "" {
			v := strings.ToLower(strings.TrimSpace(expand(fr.rule.Compression)))
			switch v {
			case "lz4", "xz", "lzo":
				return nil, fmt.Errorf("compression %q: lightstream reads gzip, zstd and snappy only", v)
			}
			c, ok := parseCompression(v)
			if !ok {
				return nil, fmt.Errorf("%w: invalid compression type '%s'", ErrFileRule, v)
			}
			if res.Type == FileTypeParquet && c != CompressionNone {
				return nil, fmt.Errorf("can't support whole compressed parquet file")
			}
			res.Compression, res.hasCompression = c, true
		}
		return res, nil
	}
	return nil, nil
}

// Package dump finds the databases, tables and data files of a
// mydumper/dumpling dump, filters tables, opens compressed files and cuts
// data files into chunks that start at row boundaries.
package dump

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// Format is the syntax of a data file.
type Format uint8

// The data file formats.
const (
	FormatSQL Format = iota
	FormatCSV
	// FormatParquet files are read by row groups (internal/source/parquet).
	FormatParquet
)

func (f Format) String() string {
	switch f {
	case FormatCSV:
		return "csv"
	case FormatParquet:
		return "parquet"
	}
	return "sql"
}

// Compression is how a file is compressed.
type Compression uint8

// The compressions Lightning reads (pkg/lightning/mydump/router.go).
const (
	CompressionNone Compression = iota
	CompressionGzip
	CompressionZstd
	CompressionSnappy
)

func (c Compression) String() string {
	switch c {
	case CompressionGzip:
		return "gzip"
	case CompressionZstd:
		return "zstd"
	case CompressionSnappy:
		return "snappy"
	}
	return "none"
}

// DataFile is one data file of a table.
type DataFile struct {
	// Path is the file's path (the dump directory joined with its
	// relative name, or s3://bucket/key): the Dump's Storage reads it.
	Path string
	// Index is the file number of {db}.{table}.{N}.sql, -1 without one.
	Index int
	// Key is the sort key a [[mydumper.files]] rule gave the file
	// (Index is -1 then); files sort by Index, then Key as text, then
	// path, as Lightning sorts by its SortKey.
	Key         string
	Format      Format
	Compression Compression
	// Size is the file size on disk (or the object's) in bytes.
	Size int64
}

// Table is a table of the dump.
type Table struct {
	// DB and Name as the file names write them (the schema-create file's
	// spelling of the database when there is one), after routing.
	DB, Name string
	// Sources are the tables routed here (db.table as the file names write
	// them), when a Router renamed or merged tables; nil otherwise.
	Sources []string
	// SchemaFile is the {db}.{table}-schema.sql path; empty when missing.
	SchemaFile string
	// DataFiles in import order (by file number, then name).
	DataFiles []DataFile
}

// Database is a database of the dump.
type Database struct {
	Name string
	// SchemaFile is the {db}-schema-create.sql path; empty when missing.
	SchemaFile string
}

// View is a {db}.{view}-schema-view.sql file: no table is imported for
// it; the coordinator creates it after the tables. DB and Name are after
// routing.
type View struct {
	DB, Name, SchemaFile string
}

// Dump is what Scan found in a dump directory.
type Dump struct {
	// Dir is the dump's location as shown (no credentials).
	Dir string
	// Storage reads the dump's files.
	Storage   storage.Storage
	Databases []Database
	Tables    []*Table
	Views     []View
	// Metadata is the path of dumpling's metadata file, empty if absent.
	Metadata string
	// Warnings name the files that were not understood or not used.
	Warnings []string
}

// The file name patterns of Lightning's default routing rules
// (pkg/lightning/mydump/router.go): names are matched case-insensitively;
// a database name holds no dot.
var (
	reSchemaCreate = regexp.MustCompile(`(?i)^([^.]+)-schema-create\.sql(?:\.(\w+))?$`)
	reTableSchema  = regexp.MustCompile(`(?i)^([^.]+)\.(.*?)-schema\.sql(?:\.(\w+))?$`)
	reViewSchema   = regexp.MustCompile(`(?i)^([^.]+)\.(.*?)-schema-view\.sql(?:\.(\w+))?$`)
	reSequence     = regexp.MustCompile(`(?i)^([^.]+)\.(.*?)-schema-sequence\.sql(?:\.(\w+))?$`)
	reParquet      = regexp.MustCompile(`(?i)^([^.]+)\.(.*?)(?:\.(\d+))?\.parquet$`)
	reData         = regexp.MustCompile(`(?i)^([^.]+)\.(.*?)(?:\.(\d+))?\.(sql|csv)(?:\.(\w+))?$`)
	reIgnored      = regexp.MustCompile(`(?i)-schema-(?:trigger|post|triggers)\.sql(?:\.\w+)?$`)
)

func parseCompression(ext string) (Compression, bool) {
	switch strings.ToLower(ext) {
	case "":
		return CompressionNone, true
	case "gz", "gzip":
		return CompressionGzip, true
	case "zst", "zstd":
		return CompressionZstd, true
	case "snappy":
		return CompressionSnappy, true
	}
	return CompressionNone, false
}

func key(db, table string) string { return strings.ToLower(db) + "\x00" + strings.ToLower(table) }

// Scan walks dir (recursively) and classifies its files. A nil filter
// keeps every table. Database and table names match case-insensitively,
// as TiDB compares them.
func Scan(dir string, filter *Filter) (*Dump, error) {
	return ScanRouted(dir, filter, nil)
}

// ScanRouted is Scan with routes: the filter selects source tables by the
// names the files write, then router maps them onto their targets. Tables
// routed onto one target share it: their data files all feed it, and the
// first schema file found (in path order) defines it.
func ScanRouted(dir string, filter *Filter, router *Router) (*Dump, error) {
	return scan(storage.LocalDir(dir), filter, router, nil, Source{})
}

func scan(st storage.Storage, filter *Filter, router *Router, routes []fileRoute, src Source) (*Dump, error) {
	d := &Dump{Dir: st.Root(), Storage: st}
	dbs := map[string]*Database{}
	tables := map[string]*Table{}
	getDB := func(name string) *Database {
		k := strings.ToLower(name)
		if db, ok := dbs[k]; ok {
			return db
		}
		db := &Database{Name: name}
		dbs[k] = db
		return db
	}
	getTable := func(db, name string) *Table {
		k := key(db, name)
		if t, ok := tables[k]; ok {
			return t
		}
		t := &Table{DB: db, Name: name}
		tables[k] = t
		return t
	}
	// routed returns the table a source table's files go to.
	routed := func(db, name string) *Table {
		tdb, tname := router.Route(db, name)
		getDB(tdb)
		t := getTable(tdb, tname)
		if router != nil && (tdb != db || tname != name) {
			if src := db + "." + name; !slices.Contains(t.Sources, src) {
				t.Sources = append(t.Sources, src)
			}
		}
		return t
	}
	// Lightning lists a dump through its storage layer too; the walk has
	// no context of its own to end it.
	err := st.Walk(context.Background(), func(e storage.Entry) error {
		path, rel := e.Path, e.Name
		base := pathBase(rel)
		if e.Unreadable != nil {
			if err := notAFile(path, base, e.Unreadable, filter); err != nil {
				return err
			}
		}
		if e.Dir {
			return nil
		}
		if len(routes) > 0 {
			res, err := routeFile(routes, rel)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if res != nil {
				return addRouted(d, res, path, e, filter, routed, getDB, src)
			}
			if !src.DefaultFileRules {
				// Lightning's loader drops such a file too ("filtered by
				// file router"); say so.
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s: no [[mydumper.files]] rule matches it (and default-file-rules is off), not imported", rel))
				return nil
			}
		}
		base, err := decodeName(base, src.CharacterSet)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		switch {
		case base == "metadata":
			d.Metadata = path
		case reSchemaCreate.MatchString(base):
			m := reSchemaCreate.FindStringSubmatch(base)
			name := router.Schema(m[1])
			db := getDB(name)
			if db.SchemaFile == "" || name == m[1] {
				db.Name, db.SchemaFile = name, path
			}
		case reViewSchema.MatchString(base):
			m := reViewSchema.FindStringSubmatch(base)
			if filter.Match(m[1], m[2]) {
				d.Views = append(d.Views, View{DB: m[1], Name: m[2], SchemaFile: path})
			}
		case reSequence.MatchString(base):
			// dumpling writes sequences so; Lightning creates them through
			// TiDB, which lightstream's own catalog cannot.
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: sequence not created (sequences are not supported)", rel))
		case reParquet.MatchString(base):
			m := reParquet.FindStringSubmatch(base)
			if !filter.Match(m[1], m[2]) {
				return nil
			}
			idx := -1
			if m[3] != "" {
				if n, err := strconv.Atoi(m[3]); err == nil {
					idx = n
				}
			}
			t := routed(m[1], m[2])
			t.DataFiles = append(t.DataFiles, DataFile{Path: path, Index: idx, Format: FormatParquet, Size: e.Size})
		case reIgnored.MatchString(base):
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: not imported (triggers and post-import SQL are not supported)", rel))
		case reTableSchema.MatchString(base):
			m := reTableSchema.FindStringSubmatch(base)
			if !filter.Match(m[1], m[2]) {
				return nil
			}
			if t := routed(m[1], m[2]); t.SchemaFile == "" {
				t.SchemaFile = path
			}
		case reData.MatchString(base):
			m := reData.FindStringSubmatch(base)
			if !filter.Match(m[1], m[2]) {
				return nil
			}
			comp, ok := parseCompression(m[5])
			if !ok {
				// Skipping it would import the table without its rows.
				return fmt.Errorf("%s: data file of table %s.%s compressed as %q, which lightstream cannot read (gzip, zstd and snappy only)", path, m[1], m[2], m[5])
			}
			idx := -1
			if m[3] != "" {
				if n, err := strconv.Atoi(m[3]); err == nil {
					idx = n
				}
			}
			f := DataFile{Path: path, Index: idx, Compression: comp, Size: e.Size}
			if strings.EqualFold(m[4], "csv") {
				f.Format = FormatCSV
			}
			t := routed(m[1], m[2])
			t.DataFiles = append(t.DataFiles, f)
		default:
			d.Warnings = append(d.Warnings, fmt.Sprintf("%s: unknown file, ignored", rel))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := resolveViews(d, tables, dbs, router); err != nil {
		return nil, err
	}
	for _, db := range dbs {
		d.Databases = append(d.Databases, *db)
	}
	sort.Slice(d.Databases, func(i, j int) bool { return d.Databases[i].Name < d.Databases[j].Name })
	for _, t := range tables {
		// The database's spelling is the schema-create file's.
		t.DB = dbs[strings.ToLower(t.DB)].Name
		sort.SliceStable(t.DataFiles, func(i, j int) bool {
			a, b := t.DataFiles[i], t.DataFiles[j]
			if a.Index != b.Index {
				return a.Index < b.Index
			}
			if a.Key != b.Key {
				return a.Key < b.Key
			}
			return a.Path < b.Path
		})
		if t.SchemaFile == "" {
			d.Warnings = append(d.Warnings, fmt.Sprintf("table %s.%s: data files without a schema file", t.DB, t.Name))
		}
		d.Tables = append(d.Tables, t)
	}
	sort.Slice(d.Tables, func(i, j int) bool {
		if d.Tables[i].DB != d.Tables[j].DB {
			return d.Tables[i].DB < d.Tables[j].DB
		}
		return d.Tables[i].Name < d.Tables[j].Name
	})
	sort.Slice(d.Views, func(i, j int) bool { return d.Views[i].DB+"."+d.Views[i].Name < d.Views[j].DB+"."+d.Views[j].Name })
	sort.Strings(d.Warnings)
	return d, nil
}

// pathBase is the last element of a slash-separated name.
func pathBase(name string) string { return path.Base(name) }

// Table returns the table db.name (case-insensitively), nil if absent.
func (d *Dump) Table(db, name string) *Table {
	for _, t := range d.Tables {
		if strings.EqualFold(t.DB, db) && strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

// notAFile refuses a directory or another non-regular file (a FIFO, a
// device, a socket, a dangling link) named as a data or schema file of a
// selected table: walking past it would import the table without its
// rows, a whole table lost without a word. Lightning lists only regular
// files and would not see it at all. Symbolic links are followed (the
// storage reports a link to a regular file as that file).
func notAFile(path, base string, why error, filter *Filter) error {
	var m []string
	for _, re := range []*regexp.Regexp{reData, reParquet, reTableSchema} {
		if m = re.FindStringSubmatch(base); m != nil {
			break
		}
	}
	if m == nil || !filter.Match(m[1], m[2]) {
		return nil
	}
	return fmt.Errorf("%s: file of table %s.%s %w", path, m[1], m[2], why)
}

// ErrNotRegular marks a dump entry named as a table's file that is not a
// regular file (a directory, a FIFO, a device).
var ErrNotRegular = storage.ErrNotRegular

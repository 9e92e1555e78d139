// Command gen writes the malformed-input corpus of tests/e2e
// (TestMalformedCorpus): one small file per variant under files/ and
// manifest.json saying what each must give. Run from the repository root:
//
//	go run ./tests/testdata/malformed/gen
//
// A variant is a dump of database bad with one table t (schema below)
// whose data file, or schema file, is the variant's. Its outcome is an
// error naming the file and the position, or rows imported (plus, where
// Lightning imports what is odd, a warning).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
)

const (
	dir     = "tests/testdata/malformed"
	schema  = "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(8), n TINYINT, d DATE, x DECIMAL(5,2));\n"
	sqlFile = "bad.t.000000000.sql"
	row1    = "(1,'a',1,'2020-01-01',1.50)"
	row2    = "(2,'b',2,'2020-01-02',2.50)"
	good    = "INSERT INTO t VALUES " + row1 + "," + row2 + ";\n"
)

// Variant is one manifest entry (tests/e2e reads the same fields).
type Variant struct {
	Name string `json:"name"`
	// What says what the variant is about.
	What string `json:"what"`
	// File is the name the variant's file gets in the dump; Corpus is its
	// content under files/ (empty with Special).
	File   string `json:"file"`
	Corpus string `json:"corpus,omitempty"`
	// Special makes File a "dir", a "fifo" or an "unreadable" file at
	// test time (git keeps none of them).
	Special string `json:"special,omitempty"`
	// CSVHeader reads CSV files with a header line.
	CSVHeader bool `json:"csv_header,omitempty"`
	// Expect is "error" or "rows".
	Expect string `json:"expect"`
	// InError are texts the error must contain (the file and the
	// position among them).
	InError []string `json:"in_error,omitempty"`
	// Rows is the row count imported; Warning a text one warning holds.
	Rows    int    `json:"rows"`
	Warning string `json:"warning,omitempty"`
}

var variants []Variant

func add(v Variant, content []byte) {
	if v.Special == "" {
		v.Corpus = v.Name + corpusExt(v.File)
		if err := os.WriteFile(filepath.Join(dir, "files", v.Corpus), content, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	variants = append(variants, v)
}

func corpusExt(file string) string {
	for _, e := range []string{".sql.gz", ".sql.zst", ".sql.snappy", ".csv.gz", ".sql", ".csv"} {
		if strings.HasSuffix(file, e) {
			if strings.HasSuffix(file, "-schema.sql") {
				return ".schema.sql"
			}
			return e
		}
	}
	return ".bin"
}

// atEnd stands for the end of the file: an input cut short is refused
// where it ends.
const atEnd = "<end>"

// sqlError is a SQL data file that must fail at the offset of at.
func sqlError(name, what, body, at string, texts ...string) {
	off := strings.Index(body, at)
	if at == atEnd {
		off = len(body)
	}
	if off < 0 {
		log.Fatalf("%s: %q not in body", name, at)
	}
	add(Variant{Name: name, What: what, File: sqlFile, Expect: "error",
		InError: append([]string{sqlFile, fmt.Sprintf("offset %d", off)}, texts...)}, []byte(body))
}

// sqlRows is a SQL data file that imports rows (with a warning when set).
func sqlRows(name, what, body string, rows int, warning string) {
	add(Variant{Name: name, What: what, File: sqlFile, Expect: "rows", Rows: rows, Warning: warning}, []byte(body))
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	return w.EncodeAll(b, nil)
}

func snap(b []byte) []byte {
	var buf bytes.Buffer
	w := snappy.NewBufferedWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func main() {
	if err := os.RemoveAll(filepath.Join(dir, "files")); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		log.Fatal(err)
	}
	ins := "INSERT INTO t VALUES "

	// Truncations at every kind of token.
	sqlError("trunc-keyword", "file ends after INSERT", "INSERT", atEnd)
	sqlError("trunc-into", "file ends after INTO", "INSERT INTO", atEnd)
	sqlError("trunc-table", "file ends after the table name", "INSERT INTO t", atEnd)
	sqlError("trunc-backquoted-table", "file ends inside a backquoted name", "INSERT INTO `t", atEnd)
	sqlError("trunc-column-list", "file ends inside the column list", "INSERT INTO t (id, na", atEnd)
	sqlError("trunc-values", "file ends after VALUES", ins, atEnd)
	sqlError("trunc-open-paren", "file ends after a tuple's (", ins+"(", "(")
	sqlError("trunc-number", "file ends inside a number", ins+"(1,'a',1,'2020-01-01',1.5", "(")
	sqlError("trunc-string", "file ends inside a string", ins+"(1,'a", "'a")
	sqlError("trunc-after-value-comma", "file ends after a value's comma", ins+"(1,'a',", "(")
	sqlError("trunc-after-tuple-comma", "file ends after a tuple's comma", ins+row1+",", atEnd, "unexpected end")
	sqlError("trunc-escape", "file ends inside an escape", ins+"(1,'a\\", "'a")
	sqlError("trunc-hex", "file ends inside a hex literal", ins+"(1,x'61", "x'61")
	sqlError("trunc-block-comment", "file ends inside a block comment", good+"/* not closed", "/*")
	sqlError("trunc-double-quoted", "file ends inside a double-quoted string", ins+"(1,\"a", "\"a")
	sqlRows("no-final-semicolon", "the last statement has no ';' (Lightning accepts it)", ins+row1, 1, "")

	// Escapes.
	sqlRows("escape-unknown", "\\q is q, as MySQL reads it", ins+"(1,'a\\qb',1,'2020-01-01',1.50);\n", 1, "")
	sqlRows("escape-nul", "\\0 is a NUL byte", ins+"(1,'a\\0b',1,'2020-01-01',1.50);\n", 1, "")
	sqlError("escape-quote-at-end", "a backslash escapes the closing quote: the string runs on and a bare word follows it", ins+"(1,'a\\',1,'2020-01-01',1.50);\n", "2020", "after a value")

	// Column counts.
	sqlError("too-few-values", "a tuple with fewer values than columns", ins+row1+",(2,'b',2);\n", "(2,", "got 3")
	sqlError("too-many-values", "a tuple with more values than columns", ins+row1+",(2,'b',2,'2020-01-02',2.50,9);\n", "(2,", "got 6")
	sqlError("column-list-unknown", "a column list naming a column t lacks", "INSERT INTO t (id,nope) VALUES (1,2);\n", "(1,2)", "nope")
	sqlError("column-list-count", "a tuple shorter than its column list", "INSERT INTO t (id,name) VALUES (1);\n", "(1)")

	// Values that do not fit their column (strict SQL mode).
	sqlError("tinyint-overflow", "300 in a TINYINT", ins+"(1,'a',300,'2020-01-01',1.50);\n", "(1,", "column n")
	sqlError("int-not-a-number", "'abc' in a TINYINT", ins+"(1,'a','abc','2020-01-01',1.50);\n", "(1,", "column n")
	sqlError("varchar-too-long", "9 characters in a VARCHAR(8)", ins+"(1,'abcdefghi',1,'2020-01-01',1.50);\n", "(1,", "column name")
	sqlError("date-invalid", "2020-13-45 in a DATE", ins+"(1,'a',1,'2020-13-45',1.50);\n", "(1,", "column d")
	sqlError("decimal-overflow", "12345.67 in a DECIMAL(5,2)", ins+"(1,'a',1,'2020-01-01',12345.67);\n", "(1,", "column x")
	sqlError("decimal-garbage", "'x1' in a DECIMAL", ins+"(1,'a',1,'2020-01-01','x1');\n", "(1,", "column x")
	sqlError("null-primary-key", "NULL in the primary key", ins+"(NULL,'a',1,'2020-01-01',1.50);\n", "(NULL", "column id")
	sqlError("int-overflow", "a 20-digit number in an INT", ins+"(99999999999999999999,'a',1,'2020-01-01',1.50);\n", "(9", "column id")
	sqlError("long-string", "an 8 KiB string in a VARCHAR(8)", ins+"(1,'"+strings.Repeat("y", 8<<10)+"',1,'2020-01-01',1.50);\n", "(1,", "column name")

	// Invalid UTF-8 and charsets.
	sqlError("invalid-utf8", "bytes that are not UTF-8 in a utf8mb4 column", ins+"(1,'a\xff\xfe',1,'2020-01-01',1.50);\n", "(1,", "column name")
	sqlError("invalid-utf8-truncated-sequence", "a UTF-8 sequence cut short", ins+"(1,'\xe4\xb8',1,'2020-01-01',1.50);\n", "(1,", "column name")
	sqlError("latin1-bytes", "a latin1 byte under SET NAMES latin1 is not UTF-8 (Lightning ignores SET NAMES in data files too)", "SET NAMES latin1;\n"+ins+"(1,'caf\xe9',1,'2020-01-01',1.50);\n", "(1,", "column name")
	sqlRows("utf8-four-byte", "a 4-byte character in utf8mb4", ins+"(1,'\xf0\x9f\x98\x80',1,'2020-01-01',1.50);\n", 1, "")

	// NUL bytes.
	sqlRows("nul-in-string", "a raw NUL byte inside a string", ins+"(1,'a\x00b',1,'2020-01-01',1.50);\n", 1, "")
	sqlError("nul-between-statements", "NUL bytes after the last statement", good+"\x00\x00\x00\x00", "\x00", "not an INSERT")
	sqlError("nul-whole-file", "a file of NUL bytes", strings.Repeat("\x00", 64), "\x00", "not an INSERT")
	sqlError("nul-in-number", "a NUL byte inside a number", ins+"(1\x002,'a',1,'2020-01-01',1.50);\n", "\x002", "after a value")

	// Empty and huge lines.
	sqlRows("empty-file", "an empty data file", "", 0, "")
	add(Variant{Name: "comments-only", What: "a data file of comments and SET statements: no row from a non-empty file", File: sqlFile, Expect: "error",
		InError: []string{"bad.t", "no row"}}, []byte("/*!40101 SET NAMES binary*/;\n-- nothing else\nSET time_zone='+00:00';\n"))
	add(Variant{Name: "blank-only", What: "a data file of blank lines: no row from a non-empty file", File: sqlFile, Expect: "error",
		InError: []string{"bad.t", "no row"}}, []byte("\n\n\n\n"))
	sqlRows("blank-lines", "blank lines around the statement", "\n\n\n"+good+"\n\n\n", 2, "")
	sqlRows("crlf", "CRLF line ends", strings.ReplaceAll("INSERT INTO t VALUES\n"+row1+",\n"+row2+";\n", "\n", "\r\n"), 2, "")
	var huge strings.Builder
	huge.WriteString(ins)
	for i := 1; i <= 20000; i++ {
		if i > 1 {
			huge.WriteByte(',')
		}
		fmt.Fprintf(&huge, "(%d,'r',1,'2020-01-01',1.50)", i)
	}
	huge.WriteString(";\n")
	add(Variant{Name: "huge-line", What: "20000 tuples on one 600 KiB line (gzip)", File: sqlFile + ".gz", Expect: "rows", Rows: 20000}, gz([]byte(huge.String())))

	// Statements that are not what a data file holds.
	sqlError("garbage-after-last", "garbage text after the last statement", good+"this is not SQL\n", "this is", "not an INSERT")
	sqlError("statement-last", "a statement that is not an INSERT ends the file (Lightning: premature EOF)", good+"DELETE FROM t;\n", "DELETE", "not an INSERT")
	sqlRows("statement-between", "an UPDATE between INSERTs is skipped, as Lightning reads past it", ins+row1+";\nUPDATE t SET n=5;\n"+ins+row2+";\n", 2, "not an INSERT")
	sqlRows("insert-other-table", "an INSERT into another table: its rows go to the file's table, as in Lightning", "INSERT INTO other VALUES "+row1+";\n", 1, "INSERT into another table")
	sqlRows("replace", "REPLACE INTO", "REPLACE INTO t VALUES "+row1+";\n", 1, "")
	sqlRows("insert-ignore-columns", "INSERT IGNORE with a reordered column list", "INSERT IGNORE INTO t (x,d,n,name,id) VALUES (1.50,'2020-01-01',1,'a',1);\n", 1, "")
	sqlRows("set-and-comments", "SET statements and comments around rows", "/*!40101 SET NAMES binary*/;\nSET time_zone='+00:00';\n-- rows\n"+good, 2, "")

	// Compressed files.
	add(Variant{Name: "gzip-ok", What: "a gzip data file", File: sqlFile + ".gz", Expect: "rows", Rows: 2}, gz([]byte(good)))
	g := gz([]byte(good))
	add(Variant{Name: "gzip-truncated", What: "a gzip file cut in half", File: sqlFile + ".gz", Expect: "error", InError: []string{sqlFile + ".gz"}}, g[:len(g)/2])
	corrupt := append([]byte(nil), g...)
	for i := 12; i < len(corrupt)-8; i += 3 {
		corrupt[i] ^= 0x5a
	}
	add(Variant{Name: "gzip-corrupt", What: "a gzip file with flipped bytes", File: sqlFile + ".gz", Expect: "error", InError: []string{sqlFile + ".gz"}}, corrupt)
	add(Variant{Name: "gzip-not-gzip", What: "plain text named .gz", File: sqlFile + ".gz", Expect: "error", InError: []string{sqlFile + ".gz"}}, []byte(good))
	z := zst([]byte(good))
	add(Variant{Name: "zstd-truncated", What: "a zstd file cut in half", File: sqlFile + ".zst", Expect: "error", InError: []string{sqlFile + ".zst"}}, z[:len(z)/2])
	zc := append([]byte(nil), z...)
	for i := 6; i < len(zc); i += 2 {
		zc[i] ^= 0xa5
	}
	add(Variant{Name: "zstd-corrupt", What: "a zstd file with flipped bytes", File: sqlFile + ".zst", Expect: "error", InError: []string{sqlFile + ".zst"}}, zc)
	sn := snap([]byte(good))
	add(Variant{Name: "snappy-truncated", What: "a snappy file cut short", File: sqlFile + ".snappy", Expect: "error", InError: []string{sqlFile + ".snappy"}}, sn[:len(sn)-6])
	add(Variant{Name: "gzip-trailing-garbage", What: "garbage bytes after a complete gzip stream", File: sqlFile + ".gz", Expect: "error", InError: []string{sqlFile + ".gz"}}, append(gz([]byte(good)), "trailing junk"...))

	// Directories and unreadable files where data files should be.
	add(Variant{Name: "data-file-is-directory", What: "a directory named as the data file", File: sqlFile, Special: "dir", Expect: "error", InError: []string{sqlFile, "directory"}}, nil)
	add(Variant{Name: "data-file-is-fifo", What: "a named pipe named as the data file", File: sqlFile, Special: "fifo", Expect: "error", InError: []string{sqlFile, "named pipe"}}, nil)
	add(Variant{Name: "data-file-unreadable", What: "a data file without read permission (skipped as root)", File: sqlFile, Special: "unreadable", Expect: "error", InError: []string{sqlFile, "permission denied"}}, nil)
	add(Variant{Name: "schema-file-is-directory", What: "a directory named as the schema file", File: "bad.t-schema.sql", Special: "dir", Expect: "error", InError: []string{"bad.t-schema.sql", "directory"}}, nil)

	// Schema files with errors (the data file is good).
	schemaError := func(name, what, text string, texts ...string) {
		add(Variant{Name: name, What: what, File: "bad.t-schema.sql", Expect: "error", InError: append([]string{"bad.t-schema.sql"}, texts...)}, []byte(text))
	}
	schemaError("schema-syntax-error", "two commas in the column list", "CREATE TABLE t (\n  id INT PRIMARY KEY,,\n  name VARCHAR(8)\n);\n", "line 2 column")
	schemaError("schema-truncated", "the schema file is cut in a column type", "CREATE TABLE t (\n  id INT PRIMARY KEY,\n  name VARCH", "line 3 column")
	schemaError("schema-unknown-charset", "DEFAULT CHARSET=klingon", "CREATE TABLE t (\n  id INT PRIMARY KEY\n) DEFAULT CHARSET=klingon;\n", "line 3, column 19", "klingon")
	schemaError("schema-unknown-collation", "a column COLLATE utf8mb4_klingon_ci", "CREATE TABLE t (\n  id INT PRIMARY KEY,\n  name VARCHAR(8) COLLATE utf8mb4_klingon_ci\n);\n", "line 3, column 27", "utf8mb4_klingon_ci")
	schemaError("schema-empty", "an empty schema file", "", "no CREATE TABLE")
	schemaError("schema-not-create-table", "a schema file holding an INSERT", "INSERT INTO t VALUES (1);\n", "no CREATE TABLE")
	add(Variant{Name: "schema-other-table", What: "CREATE TABLE names another table: created under the file's name, as in Lightning", File: "bad.t-schema.sql", Expect: "rows", Rows: 2, Warning: "CREATE TABLE names another table"},
		[]byte(strings.Replace(schema, "TABLE t", "TABLE other", 1)))

	// CSV data files.
	csvFile := "bad.t.000000000.csv"
	csvError := func(name, what, body, at string, texts ...string) {
		add(Variant{Name: name, What: what, File: csvFile, Expect: "error", InError: append([]string{csvFile, fmt.Sprintf("offset %d", strings.Index(body, at))}, texts...)}, []byte(body))
	}
	csvError("csv-too-few-fields", "a record with fewer fields than columns", "1,a,1,2020-01-01,1.50\n2,b,2\n", "2,b", "got 3")
	csvError("csv-unterminated-quote", "a quoted field never closed", "1,a,1,2020-01-01,1.50\n2,\"b,2,2020-01-02,2.50\n", "\"b")
	csvError("csv-bad-int", "a word in a TINYINT field", "1,a,one,2020-01-01,1.50\n", "1,a", "column n")
	add(Variant{Name: "csv-header", What: "a CSV file with a header line in another column order", File: csvFile, CSVHeader: true, Expect: "rows", Rows: 2},
		[]byte("x,d,n,name,id\n1.50,2020-01-01,1,a,1\n2.50,2020-01-02,2,b,2\n"))

	raw, err := json.MarshalIndent(struct {
		Schema   string    `json:"schema"`
		Variants []Variant `json:"variants"`
	}{schema, variants}, "", " ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), append(raw, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d variants\n", len(variants))
}

package producer

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestCheckSchemaFile: schema files that cannot define their table are
// refused with the file's path and the line and column of the fault; a
// CREATE TABLE naming another table is accepted with a warning (Lightning
// creates it under the file's name).
func TestCheckSchemaFile(t *testing.T) {
	for _, c := range []struct {
		name, sql string
		texts     []string // in the error; nil: accepted
	}{
		{"syntax error", "CREATE TABLE t (\n  id INT,,\n  n INT\n);\n", []string{"line 2 column"}},
		{"truncated", "CREATE TABLE t (\n  id INT PRIMARY KEY,\n  name VARCH", []string{"line 3 column"}},
		{"unknown charset", "CREATE TABLE t (\n  id INT\n) DEFAULT CHARSET=klingon;\n", []string{"(line 3, column 19)", "klingon"}},
		{"unknown column collation", "CREATE TABLE t (\n  id INT,\n  s VARCHAR(3) COLLATE utf8mb4_klingon_ci\n);\n", []string{"(line 3, column 24)", "utf8mb4_klingon_ci"}},
		{"no create table", "/* nothing */\n", []string{"no CREATE TABLE"}},
		{"fine", "CREATE TABLE t (id INT);", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkSchemaFile(slog.Default(), "dump/db.t-schema.sql", []byte(c.sql), "t", false)
			if c.texts == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrSchemaFile) {
				t.Fatalf("err = %v, want ErrSchemaFile", err)
			}
			for _, want := range append(c.texts, "dump/db.t-schema.sql") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	t.Run("another table", func(t *testing.T) {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, nil))
		if err := checkSchemaFile(log, "dump/db.t-schema.sql", []byte("CREATE TABLE other (id INT);"), "t", false); err != nil {
			t.Fatal(err)
		}
		if out := buf.String(); !strings.Contains(out, "create_table=other") || !strings.Contains(out, "dump/db.t-schema.sql") {
			t.Errorf("warning %q: want the file and the other name", out)
		}
		buf.Reset()
		if err := checkSchemaFile(log, "dump/db.t-schema.sql", []byte("CREATE TABLE other (id INT);"), "t", true); err != nil || buf.Len() != 0 {
			t.Errorf("routed: err %v, warning %q; want neither", err, buf.String())
		}
	})
}

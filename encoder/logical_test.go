package encoder

import (
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestLogicalRender: a row becomes its value tuple: generated columns left
// out, an AUTO_INCREMENT value from the dump kept, a GEOMETRY value (a type
// TiDB lacks) passed through as the dump wrote it, the statement verb per
// conflict strategy.
func TestLogicalRender(t *testing.T) {
	model, _, err := tablemodel.ParseCreateTable("CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, g GEOMETRY, s VARCHAR(10), d DATE, x INT AS (id * 2))",
		tablemodel.DBDefaults{Name: "db"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for strategy, verb := range map[string]string{"": "INSERT INTO", "error": "INSERT INTO", "ignore": "INSERT IGNORE INTO", "replace": "REPLACE INTO"} {
		ti := &schematopic.Table{Msg: &lsv1.TableSchema{Db: "db", Table: "t", Logical: &lsv1.LogicalImport{OnDuplicate: strategy}}, Model: model}
		lr, err := newLogicalRows(ti, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := verb + " `db`.`t` (`id`,`g`,`s`,`d`) VALUES"; lr.prefix != want {
			t.Errorf("%q: prefix %q, want %q", strategy, lr.prefix, want)
		}
	}
	ti := &schematopic.Table{Msg: &lsv1.TableSchema{Db: "db", Table: "t", Logical: &lsv1.LogicalImport{}}, Model: model}
	lr, err := newLogicalRows(ti, "")
	if err != nil {
		t.Fatal(err)
	}
	fields := []literal.Field{
		{Kind: literal.FieldNumber, Bytes: []byte("42")},
		{Kind: literal.FieldHex, Bytes: []byte{0, 1, 0xfe}},
		{Kind: literal.FieldString, Bytes: []byte("o'k")},
		{Kind: literal.FieldString, Bytes: []byte("2020-2-3")},
	}
	got, crc, err := lr.render(nil, fields, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `(42,0x0001fe,'o\'k','2020-02-03')`; string(got) != want {
		t.Errorf("tuple %s, want %s", got, want)
	}
	if crc == 0 {
		t.Error("no checksum")
	}
	// An omitted AUTO_INCREMENT value takes the row's ID, as the local
	// backend's; a column list maps by name.
	got, _, err = lr.render([]string{"s", "g"}, []literal.Field{{Kind: literal.FieldString, Bytes: []byte("v")}, {Kind: literal.FieldNull}}, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), "(7,NULL,'v',NULL)") {
		t.Errorf("with a column list: %s", got)
	}
	if _, err := InsertVerb("merge"); err == nil {
		t.Error("on-duplicate merge accepted")
	}
}

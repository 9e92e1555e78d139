package encoder

import (
	"context"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/ops/metrics"
	"github.com/lightstream-io/lightstream/internal/source/rowparse"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// sqlRows is a rowSource over a SQL text; drop makes it lose the rows
// with those ordinals (1-based) between the reader and the encoder, as a
// reader bug would.
type sqlRows struct {
	sr   *rowparse.SQLReader
	n    int
	drop map[int]bool
}

func (r *sqlRows) Next() ([]literal.Field, error) {
	for {
		row, err := r.sr.Next()
		if err != nil {
			return nil, err
		}
		r.n++
		if !r.drop[r.n] {
			return row, nil
		}
	}
}
func (r *sqlRows) Columns() []string { return r.sr.Columns() }
func (r *sqlRows) Pos() int64        { return r.sr.Pos() }
func (r *sqlRows) TimeZone() string  { return r.sr.TimeZone() }
func (r *sqlRows) Parsed() uint64    { return r.sr.Tuples() }

type pairCount int

func (p *pairCount) row(int64)             {}
func (p *pairCount) add(_, _ []byte) error { *p++; return nil }

func testTable(t *testing.T, ddl string) *schematopic.Table {
	t.Helper()
	m, _, err := tablemodel.ParseCreateTable(ddl, tablemodel.DBDefaults{Name: "d"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return &schematopic.Table{Msg: &lsv1.TableSchema{Db: "d", Table: m.Name, TableId: 100}, Model: m}
}

// TestEncodeRowCounts: the parsed count is the reader's, so a row lost
// between the reader and the encoder shows as parsed != encoded +
// rejected; empty tuples are rows with every column defaulted. The
// rows-encoded counter, raised every 256 rows and at the end, ends up
// with exactly the encoded rows.
func TestEncodeRowCounts(t *testing.T) {
	many := "INSERT INTO t VALUES (1,'a')" + strings.Repeat(",(NULL,'b')", 599) + ";"
	ti := testTable(t, "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, a VARCHAR(5) DEFAULT 'x')")
	ch := &lsv1.Chunk{Db: "d", Table: "t", File: "d.t.000000000.sql", RowIdBase: 0}
	for _, c := range []struct {
		name, sql               string
		drop                    map[int]bool
		parsed, encoded, nPairs uint64
	}{
		{"all rows", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c');", nil, 3, 3, 3},
		{"a row lost", "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c');", map[int]bool{2: true}, 3, 2, 2},
		{"empty tuples", "INSERT INTO t () VALUES (),();INSERT INTO t VALUES ();", nil, 3, 3, 3},
		{"600 rows", many, map[int]bool{300: true}, 600, 599, 599},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows := &sqlRows{sr: rowparse.NewSQLReader(strings.NewReader(c.sql), rowparse.SQLOptions{File: ch.File}), drop: c.drop}
			var pairs pairCount
			before := metrics.Value(metrics.RowsEncoded)
			st, err := encodeFrom(context.Background(), nil, ti, ch, ch.File, rows, &pairs)
			if err != nil {
				t.Fatal(err)
			}
			if st.parsed != c.parsed || st.rows != c.encoded || st.rejected != 0 || uint64(pairs) != c.nPairs {
				t.Fatalf("parsed %d encoded %d rejected %d pairs %d, want %d %d 0 %d", st.parsed, st.rows, st.rejected, pairs, c.parsed, c.encoded, c.nPairs)
			}
			if got := metrics.Value(metrics.RowsEncoded) - before; got != float64(c.encoded) {
				t.Fatalf("rows-encoded counter rose by %v, want %d", got, c.encoded)
			}
		})
	}
}

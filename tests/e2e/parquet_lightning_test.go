package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pqgo "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/deprecated"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
)

// sparkInt96 is an INT96 timestamp as Spark writes it: nanoseconds of
// the day, then the Julian day.
func sparkInt96(t time.Time) pqgo.Value {
	day := t.Unix()/86400 + 2440588
	nanos := uint64(t.UnixNano() - t.Unix()/86400*86400*int64(time.Second))
	return pqgo.Int96Value(deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(day)})
}

// TestParquetLightningShapes imports files of the shapes Lightning's own
// lightning_parquet test uses (Spark-style
// test/test.{table}/part-00000-{uuid}-c000.gz.parquet with gzip inside,
// DECIMAL on INT32 and INT64, INT96 and TIMESTAMP_MICROS instants, a
// BOOLEAN into TINYINT, column names starting with "_", a digit and a CJK
// character) into the tables of its db.sql, and checks them as its run.sh
// does. Lightning's own files are binary and could not be read here: the
// rows are this test's own (20 customers, c_id 1..20, so sum(c_id) = 210
// as run.sh expects, but not Lightning's values).
func TestParquetLightningShapes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"schema/test-schema-create.sql": "CREATE DATABASE test;",
		"schema/test.customer-schema.sql": "CREATE TABLE customer (c_id int(11) NOT NULL, c_d_id int(11) NOT NULL, c_w_id int(11) NOT NULL," +
			" c_first varchar(16) DEFAULT NULL, c_since datetime DEFAULT NULL, c_credit_lim decimal(12,2) DEFAULT NULL," +
			" c_discount decimal(4,4) DEFAULT NULL, PRIMARY KEY (c_w_id,c_d_id,c_id)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;",
		"schema/test.warehouse-schema.sql": "CREATE TABLE warehouse (w_id int(11) NOT NULL, w_name varchar(10) DEFAULT NULL," +
			" w_tax decimal(4,4) DEFAULT NULL, w_bool tinyint, PRIMARY KEY (w_id));",
		"schema/test.special_col_name-schema.sql": "CREATE TABLE special_col_name (`c1` varchar(128) DEFAULT NULL, `_c2` timestamp NULL DEFAULT NULL," +
			" `123_c3` timestamp NULL DEFAULT NULL, `中_c4` timestamp NULL DEFAULT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;",
		"schema/test.test_time-schema.sql": "CREATE TABLE test_time (`id` INT NOT NULL, `ts` TIMESTAMP, PRIMARY KEY (`id`));",
	})
	since := time.Date(2020, 9, 10, 20, 17, 16, 0, time.UTC)
	var customers [][]any
	for i := 1; i <= 20; i++ {
		// Fields in name order: c_credit_lim, c_d_id, c_discount,
		// c_first, c_id, c_since, c_w_id.
		customers = append(customers, []any{int64(5000000), int32(1), int32(i * 29 % 10000), fmt.Sprintf("first%d", i), int32(i),
			sparkInt96(since.Add(time.Duration(i-20) * time.Hour)), int32(1)})
	}
	gz := pqgo.Compression(&gzip.Codec{})
	writeParquet(t, filepath.Join(dir, "test", "test.customer", "part-00000-c3744aeb-351c-49ba-bdf3-5864befff481-c000.gz.parquet"), pqgo.Group{
		"c_id": pqgo.Int(32), "c_d_id": pqgo.Int(32), "c_w_id": pqgo.Int(32), "c_first": pqgo.Optional(pqgo.String()),
		"c_since": pqgo.Optional(pqgo.Leaf(pqgo.Int96Type)), "c_credit_lim": pqgo.Optional(pqgo.Decimal(2, 12, pqgo.Int64Type)),
		"c_discount": pqgo.Optional(pqgo.Decimal(4, 4, pqgo.Int32Type)),
	}, customers, gz, pqgo.MaxRowsPerRowGroup(8))
	writeParquet(t, filepath.Join(dir, "test", "test.warehouse", "part-00000-c6c33252-4d2f-4c5c-8a2f-d162bde6c360-c000.gz.parquet"), pqgo.Group{
		"w_id": pqgo.Int(32), "w_name": pqgo.Optional(pqgo.String()), "w_tax": pqgo.Optional(pqgo.Decimal(4, 4, pqgo.Int32Type)),
		"w_bool": pqgo.Optional(pqgo.Leaf(pqgo.BooleanType)),
	}, [][]any{{true, int32(1), "eLNEDIW", int32(1234)}}, gz)
	at := time.Date(2022, 9, 10, 9, 9, 0, 0, time.UTC)
	writeParquet(t, filepath.Join(dir, "test", "test.special_col_name", "special_col_name.parquet"), pqgo.Group{
		"c1": pqgo.Optional(pqgo.String()), "_c2": pqgo.Optional(pqgo.Timestamp(pqgo.Microsecond)),
		"123_c3": pqgo.Optional(pqgo.Timestamp(pqgo.Microsecond)), "中_c4": pqgo.Optional(pqgo.Timestamp(pqgo.Microsecond)),
	}, [][]any{{at.UnixMicro(), at.UnixMicro() + 1e6, "x", at.UnixMicro() + 2e6}}) // 123_c3, _c2, c1, 中_c4
	var times [][]any
	for i, s := range []string{"2022-09-10 09:09:00", "1997-08-11 02:01:10", "1995-12-31 23:00:01", "2020-02-29 23:00:00", "2038-01-19 00:00:00"} {
		ts, err := time.Parse(time.DateTime, s)
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, []any{int32(i + 1), sparkInt96(ts)})
	}
	writeParquet(t, filepath.Join(dir, "test", "test.test_time", "part-00000-8cf0e97a-1169-4335-a93f-8805e02def97-c000.gz.parquet"),
		pqgo.Group{"id": pqgo.Int(32), "ts": pqgo.Optional(pqgo.Leaf(pqgo.Int96Type))}, times, gz)

	work := importWithConfig(t, `
[mydumper]
data-source-dir = '`+dir+`'
default-file-rules = true
[[mydumper.files]]
pattern = '(?i)^(?:[^/]*/)*([a-z0-9_]+)\.([a-z0-9_]+)/(?:[^/]*/)*(?:[a-z0-9\-_.]+\.(parquet))$'
schema = '$1'
table = '$2'
type = '$3'
`, "--time-zone", "+08:00")
	cust := exportTable(t, work, "test", "customer")
	sum := 0
	for _, r := range cust.Rows {
		n, err := strconv.Atoi(deref(r[cust.col(t, "c_id")]))
		if err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	if len(cust.Rows) != 20 || sum != 210 {
		t.Errorf("customer: %d rows, sum(c_id) %d, want 20 and 210", len(cust.Rows), sum)
	}
	// c_since is an INT96 instant: a DATETIME column gets its wall clock
	// in the session's time zone (+08:00).
	for _, r := range sortedRows(t, cust, "c_id", "c_since", "c_discount", "c_credit_lim") {
		if r[:3] == "20|" && r != "20|2020-09-11 04:17:16|0.0580|50000.00" {
			t.Errorf("customer 20: %q", r)
		}
	}
	if got := sortedRows(t, exportTable(t, work, "test", "warehouse"), "w_id", "w_name", "w_tax", "w_bool"); !slices.Equal(got, []string{"1|eLNEDIW|0.1234|1"}) {
		t.Errorf("warehouse: %q", got)
	}
	if got := sortedRows(t, exportTable(t, work, "test", "special_col_name"), "c1", "_c2", "123_c3", "中_c4"); !slices.Equal(got,
		[]string{"x|2022-09-10 09:09:01|2022-09-10 09:09:00|2022-09-10 09:09:02"}) {
		t.Errorf("special_col_name: %q", got)
	}
	// TIMESTAMP columns hold the instants (exported in UTC, as run.sh
	// reads them back with CONVERT_TZ from +08:00).
	if got := sortedRows(t, exportTable(t, work, "test", "test_time"), "id", "ts"); !slices.Equal(got, []string{
		"1|2022-09-10 09:09:00", "2|1997-08-11 02:01:10", "3|1995-12-31 23:00:01", "4|2020-02-29 23:00:00", "5|2038-01-19 00:00:00"}) {
		t.Errorf("test_time: %q", got)
	}
}

// TestParquetFloatsAndFractions: a Parquet FLOAT goes into a FLOAT column
// as its float32 and into a DOUBLE column as the float32 widened
// (0.10000000149011612), as Lightning's Datum.SetFloat32 gives, so the
// checksums agree with a Lightning import; nanoseconds are truncated to
// microseconds as Lightning formats them (.9999996 stays in its second,
// where TiDB's rounding of nine digits would carry into the next).
func TestParquetFloatsAndFractions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"num-schema-create.sql": "CREATE DATABASE num;",
		"num.f-schema.sql":      "CREATE TABLE f (id INT PRIMARY KEY, f FLOAT, d DOUBLE, dt DATETIME(6), ts TIMESTAMP(6) NULL, t TIME(6), s VARCHAR(40));",
	})
	ns := time.Date(2020, 10, 29, 9, 27, 52, 999999600, time.UTC).UnixNano()
	// Fields in name order: d, dt, f, id, s, t, ts. s is a DOUBLE into a
	// VARCHAR: TiDB's float-to-string text, without an exponent.
	writeParquet(t, filepath.Join(dir, "num.f.parquet"), pqgo.Group{
		"id": pqgo.Int(32), "f": pqgo.Leaf(pqgo.FloatType), "d": pqgo.Leaf(pqgo.FloatType),
		"dt": pqgo.TimestampAdjusted(pqgo.Nanosecond, false), "ts": pqgo.TimestampAdjusted(pqgo.Nanosecond, true),
		"t": pqgo.TimeAdjusted(pqgo.Nanosecond, true), "s": pqgo.Leaf(pqgo.DoubleType),
	}, [][]any{
		{float32(0.1), ns, float32(0.1), int32(1), 1e20, int64(86399999999600), ns},
		{float32(-3.25), ns - 999999600, float32(16777217), int32(2), 1.5e-7, int64(1), ns - 999999600},
	})
	work := t.TempDir()
	if out, err := runCLI(t, "import", "-q", "--dump", dir, "--work-dir", work, "--time-zone", "+08:00"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	got := sortedRows(t, exportTable(t, work, "num", "f"), "id", "f", "d", "dt", "ts", "t", "s")
	want := []string{
		"1|0.1|0.10000000149011612|2020-10-29 09:27:52.999999|2020-10-29 09:27:52.999999|23:59:59.999999|100000000000000000000",
		"2|16777216|-3.25|2020-10-29 09:27:52.000000|2020-10-29 09:27:52.000000|00:00:00.000000|0.00000015",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
}

// TestParquetRowPlace: a Parquet row that fails to convert is named by
// its row group and its row numbers (the file's fifth row is row group
// 1's second), in the import's error and in rejects.jsonl.
func TestParquetRowPlace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeDumpFiles(t, dir, map[string]string{
		"bad-schema-create.sql": "CREATE DATABASE bad;",
		"bad.t-schema.sql":      "CREATE TABLE t (id INT PRIMARY KEY, n INT);",
	})
	var rows [][]any
	for i := 1; i <= 7; i++ {
		n := strconv.Itoa(i)
		if i == 5 {
			n = "five"
		}
		rows = append(rows, []any{int32(i), n})
	}
	writeParquet(t, filepath.Join(dir, "bad.t.parquet"), pqgo.Group{"id": pqgo.Int(32), "n": pqgo.String()}, rows, pqgo.MaxRowsPerRowGroup(3))

	out, err := runCLI(t, "import", "-q", "--dump", dir, "--work-dir", t.TempDir(), "--sql-mode", "STRICT_TRANS_TABLES")
	if err == nil {
		t.Fatalf("imported:\n%s", out)
	}
	if !strings.Contains(err.Error(), "bad.t.parquet: row 5 (row group 1, row 2 of it)") || strings.Contains(err.Error(), "byte offset") {
		t.Errorf("error %q does not name the row", err)
	}

	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dir, WorkDir: work, SQLMode: "STRICT_TRANS_TABLES", MaxErrors: 1})
	if res.Rejected != 1 {
		t.Errorf("Rejected = %d, want 1", res.Rejected)
	}
	rej := readRejects(t, work)
	if len(rej) != 1 || filepath.Base(rej[0].File) != "bad.t.parquet" || rej[0].RowGroup == nil || *rej[0].RowGroup != 1 ||
		rej[0].RowInGroup != 2 || rej[0].RowInFile != 5 || rej[0].Offset != 0 {
		t.Errorf("rejects.jsonl: %+v", rej)
	}
}

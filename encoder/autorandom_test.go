package encoder

import (
	"strconv"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/schematopic"
	"github.com/lightstream-io/lightstream/internal/tidb/kvenc"
	"github.com/lightstream-io/lightstream/internal/tidb/literal"
	"github.com/lightstream-io/lightstream/internal/tidb/tablemodel"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// TestChunkCoderSpreadsAutoRandom: the coder the encoder builds for a
// chunk gives the rows of `INSERT INTO t (a) VALUES (1),(2),...` (no
// AUTO_RANDOM value) handles on many shards, and the same handles when the
// chunk is encoded again, as after a resume.
func TestChunkCoderSpreadsAutoRandom(t *testing.T) {
	tbl, _, err := tablemodel.ParseCreateTable("create table t (id bigint auto_random primary key, a int)", tablemodel.DBDefaults{Name: "d"}, 11)
	if err != nil {
		t.Fatal(err)
	}
	ti := &schematopic.Table{Msg: &lsv1.TableSchema{}, Model: tbl}
	ch := &lsv1.Chunk{RowIdBase: 300}
	encode := func() []int64 {
		rc, err := newChunkCoder(ti, ch, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		var pairs kvenc.Pairs
		for k := int64(1); k <= 200; k++ {
			pairs.Reset()
			f := []literal.Field{{Kind: literal.FieldNumber, Bytes: []byte(strconv.FormatInt(k, 10))}}
			if err := rc.Encode([]string{"a"}, f, ch.RowIdBase+k, &pairs); err != nil {
				t.Fatal(err)
			}
			_, h, err := tidbcodec.DecodeRecordKey(pairs.Key(0))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, h.IntValue())
		}
		return out
	}
	first, second := encode(), encode()
	shards := map[int64]bool{}
	for i, h := range first {
		if second[i] != h {
			t.Fatalf("row %d: handle %x, then %x on a second run", i+1, h, second[i])
		}
		if h < 0 || h&(1<<58-1) != ch.RowIdBase+int64(i)+1 {
			t.Fatalf("row %d: handle %x is not a shard over the row ID", i+1, h)
		}
		shards[h>>58] = true
	}
	if len(shards) < 16 {
		t.Errorf("200 rows of one chunk on %d shards of 32", len(shards))
	}
}

package writer

import (
	"testing"

	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

func TestGroupRecordsAndBytes(t *testing.T) {
	w := &worker{cfg: Config{ImportID: "imp"}}
	g := []*batch{
		fromProto(&lsv1.SQLBatch{ChunkId: "c'1", Seq: 1, Db: "d", Table: "t", Prefix: "INSERT INTO `d`.`t` VALUES", Rows: [][]byte{[]byte("(1)"), []byte("(2)")}}),
		fromProto(&lsv1.SQLBatch{ChunkId: "c'1", Seq: 2, Db: "d", Table: "t", Prefix: "INSERT INTO `d`.`t` VALUES", Rows: [][]byte{[]byte("(3)")}}),
	}
	want := "INSERT INTO `lightstream_task_info`.`logical_batches` (import_id, chunk_id, seq, db_name, table_name, row_count) VALUES " +
		"('imp', 'c\\'1', 1, 'd', 't', 2),('imp', 'c\\'1', 2, 'd', 't', 1)"
	if got := w.recordsStatement(g); got != want {
		t.Errorf("records:\n%s\nwant\n%s", got, want)
	}
}

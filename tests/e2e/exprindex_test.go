package e2e

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/lightstream-io/lightstream/internal/app/pipeline"
	"github.com/lightstream-io/lightstream/internal/kv/store"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/internal/tidb/tidbcodec"
)

// TestExpressionIndex imports a table with expression indexes: each gets
// its hidden virtual column computed per row and indexed, the checksum
// matches, and the export shows the table's own columns only.
func TestExpressionIndex(t *testing.T) {
	t.Parallel()
	dump := writeDump(t, map[string]string{
		"e-schema-create.sql": "CREATE DATABASE e;\n",
		"e.u-schema.sql": "CREATE TABLE u (id INT PRIMARY KEY, email VARCHAR(40), born DATE, " +
			"UNIQUE KEY email_ci ((lower(email))), KEY by_year ((year(born))));\n",
		"e.u.000000000.sql": "INSERT INTO u VALUES (1,'Ann@X.org','1990-05-01'),(2,'bob@y.org','1985-01-31'),(3,NULL,NULL);\n",
	})
	work := t.TempDir()
	res := mustImport(t, pipeline.Config{Dump: dump, WorkDir: work})
	r := res.State.Tables[checkpoint.Key("e", "u")]
	if r == nil || r.Status != checkpoint.Done || r.Store != r.Source || r.Source.KVs != 9 {
		t.Fatalf("e.u: %+v (want 3 records and 6 index entries, matching)", r)
	}
	m := loadModel(t, work, "e", "u")
	st, err := store.OpenEmbedded(pipeline.StoreDir(work))
	if err != nil {
		t.Fatal(err)
	}
	// email_ci (index 1) holds lower(email) (memcomparable: groups of 8
	// bytes and a marker): the NULL one, ann@x.org, bob@y.org.
	var keys [][]byte
	prefix := tidbcodec.AppendIndexPrefix(nil, m.ID, 1)
	err = st.Scan(context.Background(), prefix, append(slices.Clone(prefix), 0xff), func(k, _ []byte) error {
		keys = append(keys, slices.Clone(k))
		return nil
	})
	st.Close()
	if err != nil || len(keys) != 3 || !bytes.Contains(keys[1], []byte("ann@x.or\xffg")) || !bytes.Contains(keys[2], []byte("bob@y.or\xffg")) {
		t.Fatalf("email_ci keys %q, %v", keys, err)
	}
	e := exportTable(t, work, "e", "u")
	if len(e.Rows) != 3 || len(e.Header) != 3 {
		t.Errorf("export: header %v, %d rows; want the 3 columns of u", e.Header, len(e.Rows))
	}
}

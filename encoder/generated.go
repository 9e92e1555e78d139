package encoder

import (
	"fmt"

	"github.com/lightstream-io/lightstream/internal/tablemodel"
	"github.com/lightstream-io/lightstream/internal/valueconv"
)

type tableModel = tablemodel.Table

// compileGenerated prepares the evaluator of a table's generated columns
// (nil when it has none).
func compileGenerated(t *tablemodel.Table, sess valueconv.Session, conv *valueconv.Converter) (valueconv.GeneratedEvaluator, error) {
	for _, c := range t.Columns {
		if c.IsGenerated() {
			return nil, fmt.Errorf("column %s: generated columns are not supported yet", c.Name)
		}
	}
	return nil, nil
}

package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	perrors "github.com/pingcap/errors"
	tikverr "github.com/tikv/client-go/v2/error"
)

func TestIsRetriable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{context.Canceled, false},
		{fmt.Errorf("commit: %w", context.DeadlineExceeded), false},
		{ErrClosed, false},
		{ErrEmptyValue, false},
		{perrors.WithStack(tikverr.ErrTiKVServerBusy), true},
		{fmt.Errorf("commit: %w", perrors.WithStack(tikverr.ErrRegionUnavailable)), true},
		{tikverr.ErrResultUndetermined, true},
		{tikverr.NewErrPDServerTimeout("pd"), true},
		{&tikverr.ErrWriteConflict{}, true},
	} {
		if got := IsRetriable(c.err); got != c.want {
			t.Errorf("IsRetriable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

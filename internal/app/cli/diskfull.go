package cli

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrDiskFull marks an import that failed while its work directory's file
// system was full: the failing write may be deep in the embedded broker or
// store, whose own errors do not say so ("an unexpected server error").
var ErrDiskFull = errors.New("work directory is full")

// lowSpace is the free space under which a file system counts as full
// for diskFull: a failed write leaves little behind, not nothing.
const lowSpace = 1 << 20

// diskFull returns err naming the work directory when the import failed
// with ENOSPC or its file system has (almost) no space left; otherwise
// err itself. The checkpoint is written atomically and every store write
// is checked, so the same command resumes once space is freed.
func diskFull(err error, workDir string) error {
	if err == nil || errors.Is(err, ErrDiskFull) {
		return err
	}
	var fs syscall.Statfs_t
	if serr := syscall.Statfs(workDir, &fs); serr != nil {
		return err
	}
	free := fs.Bavail * uint64(fs.Bsize)
	if !errors.Is(err, syscall.ENOSPC) && free >= lowSpace {
		return err
	}
	return fmt.Errorf("%w: %s has %d bytes free of %d; free space there and run the same command again to resume: %w",
		ErrDiskFull, workDir, free, fs.Blocks*uint64(fs.Bsize), err)
}

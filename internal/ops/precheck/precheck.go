// Package precheck runs TiDB Lightning's pre-checks (check-requirements)
// before an import writes anything: the source is readable, the work
// directory has room for what the import will write, and every target
// answers within a short timeout. Each check reports pass, warn or fail
// with what to do; the import starts only when none failed.
package precheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

// ErrFailed is returned by Run when a check failed.
var ErrFailed = errors.New("pre-checks failed")

// Result of one check.
type Result struct {
	Name   string
	Status Status
	// Detail says what was found and, for a failure, what to do.
	Detail string
}

// Status of a check.
type Status string

// The statuses.
const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
)

// Check is one pre-check.
type Check struct {
	Name string
	Run  func(ctx context.Context) Result
}

// Run runs checks in order and returns ErrFailed (naming the failed
// checks) when any failed; Print shows the results.
func Run(ctx context.Context, checks []Check) ([]Result, error) {
	var results []Result
	var failed []string
	for _, c := range checks {
		r := c.Run(ctx)
		r.Name = c.Name
		results = append(results, r)
		if r.Status == Fail {
			failed = append(failed, c.Name)
		}
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("%w: %s (fix them, or skip the checks with --check-requirements=false)", ErrFailed, strings.Join(failed, ", "))
	}
	return results, nil
}

// Print writes results as one table.
func Print(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "pre-check\tresult\tdetail")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Name, r.Status, r.Detail)
	}
	_ = tw.Flush()
}

// SourceSize walks a dump directory (following links to data files, as the
// import reads them) and returns its files' total size.
func SourceSize(dir string) (files int, bytes int64, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			files++
			bytes += fi.Size()
		}
		return nil
	})
	return files, bytes, err
}

// DumpSize is SourceSize of a dump location: a directory, or an s3://
// URL whose objects are listed.
func DumpSize(ctx context.Context, location string) (files int, bytes int64, err error) {
	if !storage.IsRemote(location) {
		return SourceSize(location)
	}
	st, err := storage.Open(ctx, location)
	if err != nil {
		return 0, 0, err
	}
	err = st.Walk(ctx, func(e storage.Entry) error {
		files++
		bytes += e.Size
		return nil
	})
	return files, bytes, err
}

// Source checks that the dump is readable and holds files.
func Source(location string) Check {
	dir := storage.Redact(location)
	return Check{Name: "source", Run: func(ctx context.Context) Result {
		files, bytes, err := DumpSize(ctx, location)
		switch {
		case err != nil:
			return Result{Status: Fail, Detail: fmt.Sprintf("cannot read the dump: %v (check --dump and its permissions)", err)}
		case files == 0:
			return Result{Status: Fail, Detail: fmt.Sprintf("%s holds no files (check --dump)", dir)}
		}
		return Result{Status: Pass, Detail: fmt.Sprintf("%s: %d files, %s", dir, files, human(bytes))}
	}}
}

// SpaceFactor is how many bytes an embedded import writes under its work
// directory per source byte at its peak: retained KV topics, sorted
// engines and the store (measured on TPC-H-shaped and generated dumps:
// topics and engines 1.26x each, the uncompressed store 1.39-1.55x,
// engines kept until the end).
const SpaceFactor = 4.1

// FreeSpace checks that the file system of dir (or of its nearest existing
// parent) has room for need bytes.
func FreeSpace(name, dir string, need int64) Check {
	return Check{Name: name, Run: func(context.Context) Result {
		avail, at, err := available(dir)
		if err != nil {
			return Result{Status: Warn, Detail: fmt.Sprintf("cannot read the free space of %s: %v", dir, err)}
		}
		if avail < need {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s has %s free, the import needs about %s: free space there, or choose another directory", at, human(avail), human(need))}
		}
		return Result{Status: Pass, Detail: fmt.Sprintf("%s has %s free, about %s needed", at, human(avail), human(need))}
	}}
}

// available returns the bytes free to an unprivileged user on the file
// system holding dir, which may not exist yet.
func available(dir string) (int64, string, error) {
	at, err := filepath.Abs(dir)
	if err != nil {
		return 0, dir, err
	}
	for {
		var st syscall.Statfs_t
		err := syscall.Statfs(at, &st)
		if err == nil {
			return int64(st.Bavail) * int64(st.Bsize), at, nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(at) == at {
			return 0, at, err
		}
		at = filepath.Dir(at)
	}
}

// Reachable checks that every address (host:port, or a Unix socket's
// absolute path) answers a connection within
// timeout: a target that does not answer fails here, at once, instead of
// after the client's own long retries.
func Reachable(name string, addrs []string, timeout time.Duration, what string) Check {
	return Check{Name: name, Run: func(ctx context.Context) Result {
		var d net.Dialer
		for _, a := range addrs {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			network := "tcp"
			if strings.HasPrefix(a, "/") {
				network = "unix" // a socket path (a server on this machine)
			}
			conn, err := d.DialContext(cctx, network, a)
			cancel()
			if err != nil {
				return Result{Status: Fail, Detail: fmt.Sprintf("%s %s does not answer within %s: %v (check %s, or that it runs)", what, a, timeout, err, name)}
			}
			conn.Close()
		}
		return Result{Status: Pass, Detail: fmt.Sprintf("%s %s answers", what, strings.Join(addrs, ", "))}
	}}
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

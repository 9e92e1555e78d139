package faults

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
)

// mountTmpfs mounts a tmpfs of size at dir, or skips the test saying why
// (not root, no mount permission in this container).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk full: mounting a small tmpfs needs root; skipped")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk full: cannot mount a tmpfs at %s (%v: %s); skipped", dir, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// TestDiskFull runs the all-in-one import of sakila with its work
// directory on a 6 MiB tmpfs. The pre-checks refuse it naming the
// directory; without them the import fills the file system and must stop
// with an error naming the directory as full; after the file system grows
// (space freed) the same command must resume to an import whose exported
// tables equal the dump.
func TestDiskFull(t *testing.T) {
	dump := sakilaDump(t)
	checks := loadChecks(t)
	bin := binary(t)
	mnt := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	mountTmpfs(t, mnt, "6m")
	work := filepath.Join(mnt, "work")
	args := []string{"import", "--quiet", "--dump", dump, "--work-dir", work}

	// The pre-checks see the small file system before anything is
	// written and name it.
	out, err := runBin(t, bin, time.Minute, args...)
	if err == nil || !strings.Contains(string(out), mnt) || !strings.Contains(string(out), "free space there") {
		t.Fatalf("pre-checks on a 6 MiB work directory: %v\n%s", err, tail(out, 4<<10))
	}
	// Without them (or when the space goes while importing) the import
	// fills the file system and must say so, naming the directory.
	args = append(args, "--check-requirements=false")
	out, err = runBin(t, bin, 3*time.Minute, args...)
	if err == nil {
		t.Fatalf("import into a 6 MiB work directory succeeded:\n%s", tail(out, 2<<10))
	}
	if msg := string(out); !strings.Contains(msg, "work directory is full: "+work) || !strings.Contains(msg, "run the same command again") {
		t.Fatalf("error does not say the work directory %s is full:\n%s", work, tail(out, 4<<10))
	}

	if out, err := exec.Command("mount", "-o", "remount,size=256m", mnt).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v: %s", err, out)
	}
	out, err = runBin(t, bin, 3*time.Minute, args...)
	if err != nil {
		t.Fatalf("import after space was freed: %v\n%s", err, tail(out, 4<<10))
	}
	st, _ := readCheckpoint(work)
	if st.Status != checkpoint.Complete {
		t.Fatalf("checkpoint status %q after the resumed import", st.Status)
	}
	verifyExports(t, bin, work, checks, st)
}

package storage_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lightstream-io/lightstream/internal/source/storage"
)

func TestOpenLocations(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, loc := range []string{dir, "file://" + dir, "local://" + dir} {
		st, err := storage.Open(ctx, loc)
		if err != nil {
			t.Fatalf("Open(%q): %v", loc, err)
		}
		if st.Root() != dir || st.Join("a/b") != filepath.Join(dir, "a", "b") {
			t.Errorf("Open(%q): root %q", loc, st.Root())
		}
	}
	for loc, want := range map[string]string{
		filepath.Join(dir, "nope"):           "dump directory",
		file:                                 "not a directory",
		"gcs://bucket/p":                     "not supported",
		"azure://c/p?secret-access-key=SSSS": "not supported",
		"ftp://host/p":                       "unknown storage scheme",
		"":                                   "no dump location",
	} {
		_, err := storage.Open(ctx, loc)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "SSSS") {
			t.Errorf("Open(%q) = %v, want an error saying %q", loc, err, want)
		}
	}

	st, err := storage.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.OpenRange(ctx, file, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	r.Close()
	if err != nil || string(b) != "3456" {
		t.Errorf("OpenRange = %q, %v", b, err)
	}
	ra, err := st.OpenReaderAt(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	p := make([]byte, 3)
	if n, err := ra.ReadAt(p, 8); ra.Size() != 10 || n != 2 || err != io.EOF || string(p[:n]) != "89" {
		t.Errorf("ReadAt = %d %v %q, size %d", n, err, p[:n], ra.Size())
	}
	if _, err := st.Open(ctx, filepath.Join(dir, "gone")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Open of a missing file: %v", err)
	}
	if n, err := st.Size(ctx, file); n != 10 || err != nil {
		t.Errorf("Size = %d, %v", n, err)
	}
}

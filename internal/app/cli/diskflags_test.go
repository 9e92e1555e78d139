package cli

import (
	"strings"
	"testing"
)

// TestLightningDiskQuota: tikv-importer.disk-quota becomes --disk-quota in
// bytes, with Lightning's reading of units (binary, "GB" included), and
// the command line wins.
func TestLightningDiskQuota(t *testing.T) {
	for text, want := range map[string]int64{
		"disk-quota = 1048576":    1 << 20,
		"disk-quota = '10GB'":     10 << 30,
		"disk-quota = '512MiB'":   512 << 20,
		"disk-quota = '1.5g'":     3 << 29,
		"disk-quota = '2048'":     2048,
		"disk-quota = '64 KB'":    64 << 10,
		"disk-quota = '1TB'":      1 << 40,
		"backend = 'local'\n":     0,
		"disk-quota = '3 bytes'":  -1,
		"disk-quota = -5":         -1,
		"disk-quota = 'plenty'":   -1,
		"disk-quota = [1, 2]":     -1,
		"disk-quota = '1.5.2GiB'": -1,
	} {
		c := importContext(t)
		var warned []string
		_, err := applyLightningConfig(c, writeConfig(t, "[tikv-importer]\n"+text+"\n"), func(s string) { warned = append(warned, s) })
		for _, w := range warned {
			if strings.Contains(w, "disk-quota") {
				t.Errorf("%s: warned %q, but the quota is honoured", text, w)
			}
		}
		if want < 0 {
			if err == nil {
				t.Errorf("%s: no error (--disk-quota %q)", text, c.String("disk-quota"))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		got := int64(0)
		if c.IsSet("disk-quota") {
			if got, err = sizeFlag(c, "disk-quota"); err != nil {
				t.Errorf("%s: --disk-quota %q: %v", text, c.String("disk-quota"), err)
			}
		}
		if got != want {
			t.Errorf("%s: --disk-quota %d, want %d", text, got, want)
		}
	}
	c := importContext(t, "--disk-quota", "1GiB")
	if _, err := applyLightningConfig(c, writeConfig(t, "[tikv-importer]\ndisk-quota = '5GB'\n"), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if c.String("disk-quota") != "1GiB" {
		t.Errorf("the command line's --disk-quota lost to the file's: %q", c.String("disk-quota"))
	}
}

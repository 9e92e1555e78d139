package storage

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/data/dump", "/data/dump"},
		{"s3://b/p", "s3://b/p"},
		{"s3://b/p?region=eu-west-1&access-key=AKID&secret-access-key=abc%2Fdef", "s3://b/p?access-key=redacted&region=eu-west-1&secret-access-key=redacted"},
		// Any spelling of the key, and a '+' in a secret (BR reads it as '+').
		{"s3://b/p?Access_Key=AKID&SECRET_ACCESS_KEY=a+b&session_token=TOKVAL", "s3://b/p?Access_Key=redacted&SECRET_ACCESS_KEY=redacted&session_token=redacted"},
		{"s3://user:pass@b/p", "s3://user:redacted@b/p"},
		// Unparsable: everything after '?' goes.
		{"s3://b/p%zz?access-key=AKID", "s3://b/p%zz?redacted"},
	} {
		got := Redact(c.in)
		if got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, secret := range []string{"AKID", "abc", "a+b", "TOKVAL", "pass"} {
			if strings.Contains(c.in, secret) && strings.Contains(got, secret) {
				t.Errorf("Redact(%q) = %q still holds %q", c.in, got, secret)
			}
		}
	}
}

func TestParseS3(t *testing.T) {
	o, err := ParseS3("s3://bucket/a/b/?region=us-west-2&endpoint=http://127.0.0.1:9000/&access_key=AK&secret-access-key=S+K&session-token=T&provider=minio&sse=aws:kms")
	if err != nil {
		t.Fatal(err)
	}
	want := S3Options{Bucket: "bucket", Prefix: "a/b", Region: "us-west-2", Endpoint: "http://127.0.0.1:9000", ForcePathStyle: true,
		AccessKey: "AK", SecretAccessKey: "S+K", SessionToken: "T", Provider: "minio", SSE: "aws:kms"}
	if o != want {
		t.Errorf("ParseS3 = %+v\nwant %+v", o, want)
	}
	if o.Root() != "s3://bucket/a/b" {
		t.Errorf("Root = %q", o.Root())
	}
	o, err = ParseS3("s3://bucket?provider=alibaba")
	if err != nil || o.ForcePathStyle || o.Prefix != "" {
		t.Errorf("alibaba: %+v %v; want virtual-hosted style, no prefix", o, err)
	}
	if o, err = ParseS3("s3://bucket/p?force-path-style=false"); err != nil || o.ForcePathStyle {
		t.Errorf("force-path-style=false: %+v %v", o, err)
	}
	for _, bad := range []string{
		"s3:///prefix",
		"s3://b/p?access-key=AK",
		"s3://b/p?secret-access-key=SECRET",
		"s3://b/p?endpoint=127.0.0.1:9000",
		"s3://b/p?force-path-style=maybe",
		"s3://b/p?regoin=x&secret-access-key=SECRET&access-key=AK",
		"s3://b/p%zz?secret-access-key=SECRET&access-key=AK",
	} {
		_, err := ParseS3(bad)
		if err == nil {
			t.Errorf("ParseS3(%q) accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseS3(%q) error shows the secret: %v", bad, err)
		}
	}
}

func TestIsRemote(t *testing.T) {
	for in, want := range map[string]bool{"/d": false, "d": false, "file:///d": false, "local:///d": false, "s3://b/p": true, "gcs://b": true} {
		if IsRemote(in) != want {
			t.Errorf("IsRemote(%q) = %v", in, !want)
		}
	}
}

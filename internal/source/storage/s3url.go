package storage

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// S3Options are the options of an s3:// location: Lightning's (BR's
// S3BackendOptions, br/pkg/storage/s3.go), given as URL query parameters
// whose names may use '-' or '_' in any case.
type S3Options struct {
	Bucket string
	// Prefix is the key prefix without leading or trailing '/'.
	Prefix string
	// Region (default: AWS_REGION / the shared config's, else us-east-1).
	Region string
	// Endpoint is an S3-compatible server's URL (scheme and host).
	Endpoint string
	// ForcePathStyle addresses the bucket in the path rather than the
	// host name: Lightning's default is true; provider alibaba or netease
	// and use-accelerate-endpoint turn it off.
	ForcePathStyle bool
	// AccessKey, SecretAccessKey and SessionToken are static credentials;
	// without them the AWS SDK's chain is used (AWS_ACCESS_KEY_ID and
	// friends, the shared config and credentials files, web identity,
	// the instance's role).
	AccessKey, SecretAccessKey, SessionToken string
	// Provider names the S3 implementation (aws, alibaba, ceph, minio...).
	Provider string
	// RoleARN and ExternalID: assume this role with the credentials above.
	RoleARN, ExternalID string
	// UseAccelerateEndpoint uses S3 Transfer Acceleration.
	UseAccelerateEndpoint bool
	// SSE, SSEKMSKeyID, StorageClass, ACL and ObjectLockEnabled are
	// accepted as Lightning accepts them; they concern writes, and a dump
	// is only read (objects encrypted at rest with SSE-S3 or SSE-KMS are
	// read as any other).
	SSE, SSEKMSKeyID, StorageClass, ACL string
	ObjectLockEnabled                   bool
}

// sensitive are the query keys whose values are secrets (BR's RedactURL).
var sensitive = map[string]bool{"access-key": true, "secret-access-key": true, "session-token": true}

func normalizeKey(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "-")) }

// parseURL parses a storage URL as BR does: a '+' in a secret key would
// otherwise be read as a space.
func parseURL(raw string) (*url.URL, error) {
	return url.Parse(strings.ReplaceAll(raw, "+", "%2B"))
}

// Redact returns text with every credential of the storage URL it is
// removed: the values of access-key, secret-access-key and session-token
// (in any spelling) become "redacted", and a password in the URL's user
// part too. Text that is not a URL is returned as it is, except that
// anything after a '?' is dropped when the text cannot be parsed, so that
// no secret slips through a malformed URL.
func Redact(location string) string {
	if !strings.Contains(location, "://") {
		return location
	}
	u, err := parseURL(location)
	if err != nil {
		if i := strings.IndexByte(location, '?'); i >= 0 {
			return location[:i] + "?redacted"
		}
		if i := strings.IndexByte(location, '@'); i >= 0 {
			return "redacted@" + location[i+1:]
		}
		return location
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "redacted")
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sensitive[normalizeKey(k)] {
				q[k] = []string{"redacted"}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ParseS3 parses s3://bucket/prefix?options. Unknown options are an
// error (a mistyped option must not silently mean its default).
func ParseS3(location string) (S3Options, error) {
	shown := Redact(location)
	u, err := parseURL(location)
	if err != nil {
		// url.Error quotes the whole URL, secrets and all.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return S3Options{}, fmt.Errorf("dump %s: %w", shown, err)
	}
	if !strings.EqualFold(u.Scheme, "s3") {
		return S3Options{}, fmt.Errorf("dump %s: not an s3:// URL", shown)
	}
	if u.Host == "" {
		return S3Options{}, fmt.Errorf("dump %s: no bucket: give s3://bucket/prefix", shown)
	}
	o := S3Options{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/"), ForcePathStyle: true}
	for key, vals := range u.Query() {
		if len(vals) == 0 {
			continue
		}
		v := vals[0]
		var perr error
		switch normalizeKey(key) {
		case "region":
			o.Region = v
		case "endpoint":
			o.Endpoint = strings.TrimSuffix(v, "/")
		case "force-path-style":
			o.ForcePathStyle, perr = strconv.ParseBool(v)
		case "access-key":
			o.AccessKey = v
		case "secret-access-key":
			o.SecretAccessKey = v
		case "session-token":
			o.SessionToken = v
		case "provider":
			o.Provider = v
		case "role-arn":
			o.RoleARN = v
		case "external-id":
			o.ExternalID = v
		case "use-accelerate-endpoint":
			o.UseAccelerateEndpoint, perr = strconv.ParseBool(v)
		case "sse":
			o.SSE = v
		case "sse-kms-key-id":
			o.SSEKMSKeyID = v
		case "storage-class":
			o.StorageClass = v
		case "acl":
			o.ACL = v
		case "object-lock-enabled":
			o.ObjectLockEnabled, perr = strconv.ParseBool(v)
		default:
			return S3Options{}, fmt.Errorf("dump %s: unknown option %q (region, endpoint, force-path-style, access-key, secret-access-key, session-token, provider, role-arn, external-id, sse, sse-kms-key-id, storage-class, acl, use-accelerate-endpoint)", shown, key)
		}
		if perr != nil {
			return S3Options{}, fmt.Errorf("dump %s: option %s: %q is not true or false", shown, key, v)
		}
	}
	return o, o.adjust(shown)
}

// adjust applies Lightning's rules (S3BackendOptions.Apply).
func (o *S3Options) adjust(shown string) error {
	if o.Endpoint != "" {
		e, err := url.Parse(o.Endpoint)
		if err != nil {
			return fmt.Errorf("dump %s: endpoint: %w", shown, err)
		}
		if e.Scheme == "" || e.Host == "" {
			return fmt.Errorf("dump %s: endpoint %q needs a scheme and a host (http://host:port)", shown, o.Endpoint)
		}
	}
	switch {
	case o.AccessKey == "" && o.SecretAccessKey != "":
		return errors.New("dump " + shown + ": secret-access-key given without access-key")
	case o.AccessKey != "" && o.SecretAccessKey == "":
		return errors.New("dump " + shown + ": access-key given without secret-access-key")
	}
	if o.Provider == "alibaba" || o.Provider == "netease" || o.UseAccelerateEndpoint {
		o.ForcePathStyle = false
	}
	return nil
}

// Root is the location without options: s3://bucket/prefix.
func (o S3Options) Root() string {
	if o.Prefix == "" {
		return "s3://" + o.Bucket
	}
	return "s3://" + o.Bucket + "/" + o.Prefix
}

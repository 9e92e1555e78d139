package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// The defaults of S3 reads.
const (
	// DefaultPartSize is the size of one ranged GET of a sequential read.
	DefaultPartSize = 8 << 20
	// DefaultReadAhead is how many parts a sequential read fetches ahead
	// of the one being read.
	DefaultReadAhead = 2
	// DefaultConcurrency bounds the GETs in flight of one Storage.
	DefaultConcurrency = 16
	// maxAttempts of a request (the SDK retries throttling, 5xx and
	// connection errors with exponential backoff and jitter) and of a
	// part whose body broke off while it was read.
	maxAttempts = 8
	maxBackoff  = 10 * time.Second
	// requestTimeout bounds one request and the read of its body: a
	// server that stalls mid-body fails the attempt, which is retried,
	// rather than hanging the reader (a part is 8 MiB: 2 minutes is
	// 70 KB/s).
	requestTimeout = 2 * time.Minute
	// defaultRegion is Lightning's when none is given or configured.
	defaultRegion = "us-east-1"
)

// S3 is a dump under a bucket prefix of S3-compatible object storage.
// Its paths are s3://bucket/key.
type S3 struct {
	opts   S3Options
	client *s3.Client
	// gets bounds the GETs in flight (DefaultConcurrency).
	gets chan struct{}
	// PartSize and ReadAhead shape sequential reads (defaults above).
	PartSize  int64
	ReadAhead int
	// backoff is the wait before retry attempt n (n >= 1) of a part.
	backoff func(n int) time.Duration
}

// S3Client configures the client of NewS3; tests set HTTP.
type S3Client struct {
	// HTTP is the client the SDK sends requests with (default the SDK's).
	HTTP *http.Client
	// Concurrency bounds the GETs in flight (default DefaultConcurrency).
	Concurrency int
}

// NewS3 returns the storage of an s3:// location. Credentials come from
// the options when given, else from the AWS SDK's default chain.
func NewS3(ctx context.Context, opts S3Options) (*S3, error) {
	return NewS3With(ctx, opts, S3Client{})
}

// NewS3With is NewS3 with a client configuration.
func NewS3With(ctx context.Context, opts S3Options, cc S3Client) (*S3, error) {
	load := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
				// A throttled import retries as long as it must, not until
				// the client's retry budget runs dry.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.AccessKey != "" {
		load = append(load, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(opts.AccessKey, opts.SecretAccessKey, opts.SessionToken)))
	}
	if cc.HTTP != nil {
		load = append(load, config.WithHTTPClient(cc.HTTP))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("dump %s: AWS configuration: %w", opts.Root(), err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	if opts.RoleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), opts.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if opts.ExternalID != "" {
				o.ExternalID = aws.String(opts.ExternalID)
			}
		}))
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = opts.ForcePathStyle
		o.UseAccelerate = opts.UseAccelerateEndpoint
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		// Ranged GETs carry no whole-object checksum to validate.
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	n := cc.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	return &S3{opts: opts, client: client, gets: make(chan struct{}, n), PartSize: DefaultPartSize, ReadAhead: DefaultReadAhead,
		backoff: func(n int) time.Duration { return min(maxBackoff, 100*time.Millisecond<<n) }}, nil
}

// Client is the storage's S3 client (tests upload with it).
func (s *S3) Client() *s3.Client { return s.client }

// Bucket is the storage's bucket.
func (s *S3) Bucket() string { return s.opts.Bucket }

// Root implements Storage.
func (s *S3) Root() string { return s.opts.Root() }

// Join implements Storage.
func (s *S3) Join(name string) string { return "s3://" + s.opts.Bucket + "/" + s.key(name) }

func (s *S3) key(name string) string {
	if s.opts.Prefix == "" {
		return name
	}
	return s.opts.Prefix + "/" + name
}

// Rel implements Storage.
func (s *S3) Rel(path string) (string, error) {
	root := s.Root() + "/"
	if !strings.HasPrefix(path, root) {
		return "", fmt.Errorf("%s is not under %s", path, s.Root())
	}
	return strings.TrimPrefix(path, root), nil
}

// objectKey returns the key of an s3:// path of the storage's bucket.
func (s *S3) objectKey(path string) (string, error) {
	bucket := "s3://" + s.opts.Bucket + "/"
	if !strings.HasPrefix(path, bucket) {
		return "", fmt.Errorf("%s is not an object of bucket %s", path, s.opts.Bucket)
	}
	return strings.TrimPrefix(path, bucket), nil
}

// Walk implements Storage: the objects under the prefix, in key order.
// No object under it is an error (ErrNotFound): S3 has no directories, so
// a mistyped prefix is otherwise indistinguishable from an empty dump.
func (s *S3) Walk(ctx context.Context, fn func(Entry) error) error {
	prefix := ""
	if s.opts.Prefix != "" {
		prefix = s.opts.Prefix + "/"
	}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.opts.Bucket), Prefix: aws.String(prefix)})
	n := 0
	for p.HasMorePages() {
		pctx, cancel := context.WithTimeout(ctx, requestTimeout)
		page, err := p.NextPage(pctx)
		cancel()
		if err != nil {
			return s.describe("list", s.Root()+"/", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue // a folder marker some tools write
			}
			name := strings.TrimPrefix(key, prefix)
			n++
			if err := fn(Entry{Path: s.Join(name), Name: name, Size: aws.ToInt64(o.Size)}); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("dump %s: no objects under the prefix %q of bucket %s: %w", s.Root(), prefix, s.opts.Bucket, ErrNotFound)
	}
	return nil
}

// Size implements Storage (a HEAD request).
func (s *S3) Size(ctx context.Context, path string) (int64, error) {
	key, err := s.objectKey(path)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.opts.Bucket), Key: aws.String(key)})
	if err != nil {
		return 0, s.describe("head", path, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Open implements Storage: the whole object, read as OpenRange reads.
func (s *S3) Open(ctx context.Context, path string) (io.ReadCloser, error) {
	size, err := s.Size(ctx, path)
	if err != nil {
		return nil, err
	}
	return s.OpenRange(ctx, path, 0, size)
}

// OpenRange implements Storage: ranged GETs of PartSize, ReadAhead of
// them in flight ahead of the reader.
func (s *S3) OpenRange(ctx context.Context, path string, start, end int64) (io.ReadCloser, error) {
	key, err := s.objectKey(path)
	if err != nil {
		return nil, err
	}
	return newPartReader(ctx, s, path, key, start, end), nil
}

// OpenReaderAt implements Storage: each ReadAt is one ranged GET.
func (s *S3) OpenReaderAt(ctx context.Context, path string) (ReaderAt, error) {
	key, err := s.objectKey(path)
	if err != nil {
		return nil, err
	}
	size, err := s.Size(ctx, path)
	if err != nil {
		return nil, err
	}
	return &s3ReaderAt{ctx: ctx, s: s, path: path, key: key, size: size}, nil
}

type s3ReaderAt struct {
	ctx       context.Context
	s         *S3
	path, key string
	size      int64
}

func (r *s3ReaderAt) Size() int64  { return r.size }
func (r *s3ReaderAt) Close() error { return nil }

func (r *s3ReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), r.size)
	n, err := r.s.getRange(r.ctx, r.path, r.key, off, end, p[:end-off])
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// getRange reads bytes [start, end) of an object into buf (len end-start)
// with one ranged GET, again from where it broke off when the body fails
// mid-way (the SDK retries the request itself, not the body's read).
func (s *S3) getRange(ctx context.Context, path, key string, start, end int64, buf []byte) (int, error) {
	got := 0
	for attempt := 0; ; attempt++ {
		n, err := s.getOnce(ctx, path, key, start+int64(got), end, buf[got:])
		got += n
		if err == nil {
			return got, nil
		}
		var api smithy.APIError
		if errors.As(err, &api) || ctx.Err() != nil || attempt+1 >= maxAttempts {
			return got, err
		}
		select {
		case <-time.After(s.backoff(attempt + 1)):
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

func (s *S3) getOnce(ctx context.Context, path, key string, start, end int64, buf []byte) (int, error) {
	select {
	case s.gets <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-s.gets }()
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.opts.Bucket), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", start, end-1)),
	})
	if err != nil {
		return 0, s.describe("read", path, err)
	}
	defer out.Body.Close()
	n, err := io.ReadFull(out.Body, buf)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			if out.ContentLength != nil && *out.ContentLength < end-start {
				// The object is shorter than listed: it changed under the
				// import. Not worth retrying.
				return n, s.describe("read", path, &smithy.GenericAPIError{Code: "ObjectChanged",
					Message: fmt.Sprintf("bytes %d-%d requested, %d returned: the object is shorter than when the dump was listed", start, end-1, *out.ContentLength)})
			}
		}
		return n, fmt.Errorf("read %s bytes %d-%d: %w", path, start+int64(n), end-1, err)
	}
	return n, nil
}

// describe names what failed, where, and why in words a person can act
// on; the kind is wrapped for callers (ErrNotFound, ErrAccessDenied).
func (s *S3) describe(op, path string, err error) error {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return fmt.Errorf("%s %s: %w", op, path, err)
	}
	switch api.ErrorCode() {
	case "NoSuchBucket":
		return fmt.Errorf("%s %s: bucket %s does not exist: %w: %w", op, path, s.opts.Bucket, ErrNotFound, err)
	case "NoSuchKey", "NotFound":
		return fmt.Errorf("%s %s: object %s of bucket %s does not exist (removed after the dump was listed?): %w: %w", op, path, strings.TrimPrefix(path, "s3://"+s.opts.Bucket+"/"), s.opts.Bucket, ErrNotFound, err)
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "Forbidden", "AllAccessDisabled":
		return fmt.Errorf("%s %s: the object store refused the credentials (%s): check access-key/secret-access-key in the URL, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the shared credentials file, and the bucket's policy: %w: %w", op, path, api.ErrorCode(), ErrAccessDenied, err)
	}
	return fmt.Errorf("%s %s: %w", op, path, err)
}

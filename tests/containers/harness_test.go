package containers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

func TestMain(m *testing.M) {
	// No reaper container (its image cannot be pulled here): every test
	// removes what it started, and .ci/run sweeps leftovers by the
	// org.testcontainers label.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	code := m.Run()
	removeBuiltImage()
	os.Exit(code)
}

var (
	imageOnce  sync.Once
	imageName  string
	imageBuilt bool
	imageErr   error
)

// lightstreamImage returns the image to test: $LIGHTSTREAM_IMAGE, or one
// built once per run from deploy/Dockerfile around a static binary built
// from the repository.
func lightstreamImage(t testing.TB) string {
	t.Helper()
	skipWithoutDocker(t)
	imageOnce.Do(func() {
		if img := os.Getenv("LIGHTSTREAM_IMAGE"); img != "" {
			imageName = img
			return
		}
		imageName, imageErr = buildImage(repoRoot(t))
		imageBuilt = imageErr == nil
	})
	if imageErr != nil {
		t.Fatalf("build image: %v", imageErr)
	}
	return imageName
}

// skipWithoutDocker skips when no Docker daemon answers.
func skipWithoutDocker(t testing.TB) {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Skipf("Docker is not available: %v", err)
	}
	cli.Close()
}

func buildImage(root string) (string, error) {
	dir, err := os.MkdirTemp("", "lightstream-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	// The same command as scripts/build-image.sh, into a private context so
	// that a concurrent deploy/lightstream is never half-written.
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "lightstream"), "./cmd/lightstream")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	df, err := os.ReadFile(filepath.Join(root, "deploy", "Dockerfile"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		return "", err
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", err
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: "lightstream-test", Tag: randomSuffix(),
	}})
}

func removeBuiltImage() {
	if !imageBuilt {
		return
	}
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		return
	}
	defer cli.Close()
	_, _ = cli.ImageRemove(context.Background(), imageName, client.ImageRemoveOptions{Force: true, PruneChildren: true})
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cluster is one deployment under test: a private network, a broker, an
// importer (producer + coordinator + sorters) and encoders, as
// deploy/compose.yaml runs them.
type cluster struct {
	t        testing.TB
	image    string
	net      *testcontainers.DockerNetwork
	dump     string
	work     string // the work volume's name
	importer testcontainers.Container
	encoders []testcontainers.Container
	docker   *testcontainers.DockerClient
}

func newCluster(t testing.TB, dump string) *cluster {
	t.Helper()
	img := lightstreamImage(t)
	ctx := context.Background()
	nw, err := network.New(ctx)
	if err != nil {
		t.Fatalf("network: %v", err)
	}
	testcontainers.CleanupNetwork(t, nw)
	dockerCli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, image: img, net: nw, dump: dump, docker: dockerCli, work: "lightstream-test-work-" + randomSuffix()}
	// The volume carries the label the CI sweep looks for.
	if _, err := dockerCli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: c.work, Labels: testcontainers.GenericLabels()}); err != nil {
		t.Fatalf("volume: %v", err)
	}
	// Cleanups run last-in first-out: the volume goes after the containers.
	t.Cleanup(func() {
		_, _ = dockerCli.VolumeRemove(context.Background(), c.work, client.VolumeRemoveOptions{Force: true})
		dockerCli.Close()
	})
	c.start("broker", []string{"broker"}, nil,
		testcontainers.WithCmd("broker", "--listen=0.0.0.0:9092", "--advertise=broker:9092", "--partitions=8"),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--broker", "127.0.0.1:9092"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	return c
}

// start runs a container of the image on the cluster's network.
func (c *cluster) start(name string, aliases []string, mounts testcontainers.ContainerMounts, opts ...testcontainers.ContainerCustomizer) testcontainers.Container {
	c.t.Helper()
	all := []testcontainers.ContainerCustomizer{
		network.WithNetwork(aliases, c.net),
		testcontainers.WithEnv(map[string]string{"LIGHTSTREAM_BROKERS": "broker:9092"}),
	}
	if len(mounts) > 0 {
		all = append(all, testcontainers.WithMounts(mounts...))
	}
	all = append(all, opts...)
	ctr, err := testcontainers.Run(context.Background(), c.image, all...)
	testcontainers.CleanupContainer(c.t, ctr)
	if err != nil {
		c.t.Fatalf("start %s: %v%s", name, err, logsOf(ctr))
	}
	return ctr
}

func (c *cluster) dumpMount() testcontainers.ContainerMount {
	return testcontainers.ContainerMount{Source: testcontainers.GenericBindMountSource{HostPath: c.dump}, Target: "/dump", ReadOnly: true}
}

func (c *cluster) workMount() testcontainers.ContainerMount {
	return testcontainers.VolumeMount(c.work, "/work")
}

// startImporter runs `import --encoders=0` and waits until its metrics
// answer, that is until the chunks are published (compose's health gate).
func (c *cluster) startImporter(chunkSize string) {
	c.t.Helper()
	c.importer = c.start("importer", []string{"importer"}, testcontainers.Mounts(c.dumpMount(), c.workMount()),
		testcontainers.WithCmd("import", "--dump=/dump", "--work-dir=/work", "--encoders=0", "--sorters=2",
			"--chunk-size="+chunkSize, "--metrics-addr=0.0.0.0:9090", "--quiet"),
		testcontainers.WithExposedPorts("9090/tcp"),
		// Published on the host's loopback only.
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			p, _ := mobynet.ParsePort("9090/tcp")
			hc.PortBindings = mobynet.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1")}}}
		}),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--http", "http://127.0.0.1:9090/metrics"}).
			WithStartupTimeout(3*time.Minute).WithPollInterval(300*time.Millisecond)),
	)
}

// addEncoder starts one more encoder container.
func (c *cluster) addEncoder() testcontainers.Container {
	c.t.Helper()
	e := c.start(fmt.Sprintf("encoder %d", len(c.encoders)), nil, testcontainers.Mounts(c.dumpMount()),
		testcontainers.WithCmd("encoder", "--dump=/dump"),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	c.encoders = append(c.encoders, e)
	return e
}

// kill stops a container hard (SIGKILL), as a crashed node would.
func (c *cluster) kill(ctr testcontainers.Container) {
	c.t.Helper()
	if _, err := c.docker.ContainerKill(context.Background(), ctr.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		c.t.Fatalf("kill: %v", err)
	}
}

// metrics reads the importer's progress gauges (lightstream_* lines).
func (c *cluster) metrics(ctx context.Context) (map[string]float64, error) {
	port, err := c.importer.MappedPort(ctx, "9090/tcp")
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port.Port()+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "lightstream_") {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			m[k] = f
		}
	}
	return m, nil
}

// waitImporter waits for the importer to exit and fails unless it exited 0.
func (c *cluster) waitImporter(timeout time.Duration) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		st, err := c.importer.State(ctx)
		if err != nil {
			c.t.Fatalf("importer state: %v%s", err, logsOf(c.importer))
		}
		if !st.Running {
			if st.ExitCode != 0 {
				c.t.Fatalf("importer exited %d%s", st.ExitCode, logsOf(c.importer))
			}
			return
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("importer still running after %v%s", timeout, logsOf(c.importer))
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// verify exports every table of the expected checks from the work volume
// and compares the figures.
func (c *cluster) verify(checks []expectedCheck) {
	c.t.Helper()
	ctx := context.Background()
	// A FROM scratch image has no shell to keep a container alive: an idle
	// in-memory broker on loopback does, and `export` runs beside it.
	tb := c.start("toolbox", nil, testcontainers.Mounts(c.workMount()),
		testcontainers.WithCmd("broker", "--listen=127.0.0.1:19092"),
		testcontainers.WithWaitStrategy(wait.ForLog("broker listening").WithStartupTimeout(time.Minute)),
	)
	for _, want := range checks {
		name := want.DB + "." + want.Table
		out := "/work/export-" + want.Table + ".csv"
		code, r, err := tb.Exec(ctx, []string{"/lightstream", "export", "--work-dir=/work", "--table=" + name, "--out=" + out})
		if err != nil || code != 0 {
			msg, _ := io.ReadAll(r)
			c.t.Errorf("export %s: exit %d %v: %s", name, code, err, msg)
			continue
		}
		rc, err := tb.CopyFileFromContainer(ctx, out)
		if err != nil {
			c.t.Errorf("copy %s: %v", out, err)
			continue
		}
		got, err := figuresOfExport(rc, want.Excluded)
		rc.Close()
		if err != nil {
			c.t.Errorf("%s: %v", name, err)
			continue
		}
		if err := want.matches(got); err != nil {
			c.t.Errorf("%s: %v", name, err)
		}
	}
}

// logsOf returns a container's output for a failure message.
func logsOf(ctr testcontainers.Container) string {
	if ctr == nil {
		return ""
	}
	rc, err := ctr.Logs(context.Background())
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 64<<10))
	return "\n--- container output ---\n" + string(bytes.TrimSpace(b))
}

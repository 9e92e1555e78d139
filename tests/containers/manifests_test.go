package containers

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot is the main module's root, two levels up from this module.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "lightstream")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	return root
}

// k8sObject is the part of a manifest the checks read.
type k8sObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	// Data of a ConfigMap.
	Data map[string]string `yaml:"data"`
	Spec struct {
		// Selector is {matchLabels: ...} in workloads, a plain label map
		// in a Service.
		Selector map[string]any `yaml:"selector"`
		Template *podTemplate   `yaml:"template"`
		// Service
		Ports []struct {
			TargetPort any `yaml:"targetPort"`
		} `yaml:"ports"`
		// StatefulSet
		VolumeClaimTemplates []struct {
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		} `yaml:"volumeClaimTemplates"`
		ServiceName string `yaml:"serviceName"`
	} `yaml:"spec"`
}

type podTemplate struct {
	Metadata struct {
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Spec struct {
		RestartPolicy  string         `yaml:"restartPolicy"`
		InitContainers []podContainer `yaml:"initContainers"`
		Containers     []podContainer `yaml:"containers"`
		Volumes        []struct {
			Name                  string `yaml:"name"`
			PersistentVolumeClaim *struct {
				ClaimName string `yaml:"claimName"`
			} `yaml:"persistentVolumeClaim"`
			ConfigMap *struct {
				Name string `yaml:"name"`
			} `yaml:"configMap"`
		} `yaml:"volumes"`
	} `yaml:"spec"`
}

type podContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Ports   []struct {
		Name string `yaml:"name"`
	} `yaml:"ports"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
	} `yaml:"envFrom"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
}

type probe struct {
	Exec *struct {
		Command []string `yaml:"command"`
	} `yaml:"exec"`
}

// decodeAll reads every document of a multi-document YAML file.
func decodeAll(t *testing.T, path string) []k8sObject {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var objs []k8sObject
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		objs = append(objs, o)
	}
}

// lightstreamCommands are the binary's subcommands a manifest may run.
var lightstreamCommands = map[string]bool{
	"broker": true, "import": true, "encoder": true, "sorter": true, "coordinator": true,
	"producer": true, "export": true, "health": true, "replay": true, "store": true,
}

func TestKubernetesManifests(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "deploy", "k8s")
	var kust struct {
		APIVersion string   `yaml:"apiVersion"`
		Kind       string   `yaml:"kind"`
		Resources  []string `yaml:"resources"`
		Images     []struct {
			Name string `yaml:"name"`
		} `yaml:"images"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &kust); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if kust.Kind != "Kustomization" || !strings.HasPrefix(kust.APIVersion, "kustomize.config.k8s.io/") {
		t.Errorf("kustomization.yaml: kind %q apiVersion %q", kust.Kind, kust.APIVersion)
	}

	// Every manifest in the folder is listed, and every listed file exists.
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range kust.Resources {
		listed[r] = true
		if _, err := os.Stat(filepath.Join(dir, r)); err != nil {
			t.Errorf("kustomization lists %s: %v", r, err)
		}
	}
	var onDisk []string
	for _, f := range files {
		base := filepath.Base(f)
		if base == "kustomization.yaml" {
			continue
		}
		onDisk = append(onDisk, base)
		if !listed[base] {
			t.Errorf("%s is not listed in kustomization.yaml resources", base)
		}
	}
	sort.Strings(onDisk)
	if len(onDisk) == 0 {
		t.Fatal("no manifests")
	}

	images := map[string]bool{}
	for _, im := range kust.Images {
		images[im.Name] = true
	}
	kinds := map[string][]string{}
	objects := map[string]k8sObject{}
	claims := map[string]bool{}
	configMaps := map[string]bool{}
	configMapData := map[string]map[string]string{}
	var all []k8sObject
	for _, f := range onDisk {
		objs := decodeAll(t, filepath.Join(dir, f))
		for _, o := range objs {
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Errorf("%s: object without apiVersion, kind or metadata.name: %+v", f, o)
				continue
			}
			key := o.Kind + "/" + o.Metadata.Name
			if _, dup := objects[key]; dup {
				t.Errorf("%s: %s defined twice", f, key)
			}
			objects[key] = o
			kinds[o.Kind] = append(kinds[o.Kind], o.Metadata.Name)
			switch o.Kind {
			case "PersistentVolumeClaim":
				claims[o.Metadata.Name] = true
			case "ConfigMap":
				configMaps[o.Metadata.Name] = true
				configMapData[o.Metadata.Name] = o.Data
			}
			all = append(all, o)
		}
	}
	for _, kind := range []string{"StatefulSet", "Deployment", "Job", "Service", "PersistentVolumeClaim", "ConfigMap"} {
		if len(kinds[kind]) == 0 {
			t.Errorf("no %s in deploy/k8s", kind)
		}
	}
	// One workload per role, of the kind its lifecycle needs: state in
	// StatefulSets, run-to-completion roles as Jobs, scalable members as
	// Deployments; the single importer is gone.
	roleKinds := map[string]string{
		"broker": "StatefulSet", "store": "StatefulSet", "producer": "Job",
		"coordinator": "Job", "encoder": "Deployment", "sorter": "Deployment",
	}
	roleOf := map[string]string{} // command -> workload key
	for _, o := range all {
		if o.Spec.Template == nil {
			continue
		}
		for _, c := range o.Spec.Template.Spec.Containers {
			if len(c.Args) > 0 {
				if c.Args[0] == "import" {
					t.Errorf("%s/%s runs `import`: every role runs alone now", o.Kind, o.Metadata.Name)
				}
				roleOf[c.Args[0]] = o.Kind + "/" + o.Metadata.Name
			}
		}
	}
	for role, kind := range roleKinds {
		key, ok := roleOf[role]
		if !ok {
			t.Errorf("no workload runs `%s`", role)
		} else if !strings.HasPrefix(key, kind+"/") {
			t.Errorf("`%s` runs in %s, want a %s", role, key, kind)
		}
	}
	// The coordinator's checkpoint survives its pod: it mounts a PVC.
	if key, ok := roleOf["coordinator"]; ok {
		pt := objects[key].Spec.Template
		pvc := map[string]bool{}
		for _, v := range pt.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				pvc[v.Name] = true
			}
		}
		found := false
		for _, c := range pt.Spec.Containers {
			for _, m := range c.VolumeMounts {
				found = found || (pvc[m.Name] && hasArg(c.Args, "--work-dir="+m.MountPath))
			}
		}
		if !found {
			t.Errorf("%s: --work-dir is not on a PersistentVolumeClaim", key)
		}
	}

	var podLabels []map[string]string
	for _, o := range all {
		key := o.Kind + "/" + o.Metadata.Name
		switch o.Kind {
		case "Deployment", "StatefulSet", "Job":
		default:
			continue
		}
		pt := o.Spec.Template
		if pt == nil || len(pt.Spec.Containers) == 0 {
			t.Errorf("%s: no pod template with containers", key)
			continue
		}
		if o.Kind != "Job" {
			ml, _ := o.Spec.Selector["matchLabels"].(map[string]any)
			if len(ml) == 0 {
				t.Errorf("%s: no selector.matchLabels", key)
			}
			for k, v := range ml {
				if pt.Metadata.Labels[k] != v {
					t.Errorf("%s: selector %s=%v does not match the template labels %v", key, k, v, pt.Metadata.Labels)
				}
			}
			podLabels = append(podLabels, pt.Metadata.Labels)
		} else if podLabels = append(podLabels, pt.Metadata.Labels); pt.Spec.RestartPolicy != "OnFailure" && pt.Spec.RestartPolicy != "Never" {
			t.Errorf("%s: a Job's restartPolicy must be OnFailure or Never, not %q", key, pt.Spec.RestartPolicy)
		}
		volumes := map[string]bool{}
		for _, v := range pt.Spec.Volumes {
			volumes[v.Name] = true
			if v.PersistentVolumeClaim != nil && !claims[v.PersistentVolumeClaim.ClaimName] {
				t.Errorf("%s: volume %s claims %q, which no manifest defines", key, v.Name, v.PersistentVolumeClaim.ClaimName)
			}
			if v.ConfigMap != nil && !configMaps[v.ConfigMap.Name] {
				t.Errorf("%s: volume %s uses ConfigMap %q, which no manifest defines", key, v.Name, v.ConfigMap.Name)
			}
		}
		for _, c := range o.Spec.VolumeClaimTemplates {
			volumes[c.Metadata.Name] = true
		}
		if o.Kind == "StatefulSet" {
			if _, ok := objects["Service/"+o.Spec.ServiceName]; !ok {
				t.Errorf("%s: serviceName %q has no Service", key, o.Spec.ServiceName)
			}
		}
		for _, c := range append(append([]podContainer{}, pt.Spec.InitContainers...), pt.Spec.Containers...) {
			ckey := key + " podContainer " + c.Name
			if c.Name == "" {
				t.Errorf("%s: podContainer without a name", key)
			}
			if c.Image == "" {
				t.Errorf("%s: no image", ckey)
			} else if name, _, _ := strings.Cut(c.Image, ":"); !images[name] {
				t.Errorf("%s: image %q is not set by kustomization images", ckey, c.Image)
			}
			if len(c.Command) != 0 {
				t.Errorf("%s: command overrides the image's /lightstream entrypoint; use args", ckey)
			}
			if len(c.Args) == 0 || !lightstreamCommands[c.Args[0]] {
				t.Errorf("%s: args %q do not start with a lightstream command", ckey, c.Args)
			}
			for _, m := range c.VolumeMounts {
				if !volumes[m.Name] {
					t.Errorf("%s: mounts volume %q, which the pod does not define", ckey, m.Name)
				}
			}
			for _, e := range c.EnvFrom {
				if e.ConfigMapRef != nil && !configMaps[e.ConfigMapRef.Name] {
					t.Errorf("%s: envFrom ConfigMap %q is not defined", ckey, e.ConfigMapRef.Name)
				}
			}
			for _, p := range []*probe{c.ReadinessProbe, c.LivenessProbe} {
				if p != nil && (p.Exec == nil || len(p.Exec.Command) < 2 || p.Exec.Command[0] != "/lightstream" || p.Exec.Command[1] != "health") {
					t.Errorf("%s: probes must run `/lightstream health` (the image has no shell)", ckey)
				}
			}
			switch c.Args[0] {
			case "encoder", "import", "producer":
				if !hasArgPrefix(c.Args, "--dump=") {
					t.Errorf("%s: %s without --dump", ckey, c.Args[0])
				}
			case "sorter", "coordinator":
				// They reach the store through PD: --pd, or
				// LIGHTSTREAM_PD from the ConfigMap.
				if !hasArgPrefix(c.Args, "--pd=") && !envFromHas(c, configMapData, "LIGHTSTREAM_PD") {
					t.Errorf("%s: %s without --pd or LIGHTSTREAM_PD", ckey, c.Args[0])
				}
			}
			switch c.Args[0] {
			case "producer", "encoder", "sorter", "coordinator":
				// Roles started on their own require the import's id,
				// set once in the ConfigMap.
				if hasArgPrefix(c.Args, "--import-id") || !envFromHas(c, configMapData, "LIGHTSTREAM_IMPORT_ID") {
					t.Errorf("%s: %s must read LIGHTSTREAM_IMPORT_ID from the ConfigMap (and not set --import-id of its own)", ckey, c.Args[0])
				}
			}
		}
	}
	// Every Service selects the pods of some workload.
	for _, o := range all {
		if o.Kind != "Service" {
			continue
		}
		if len(o.Spec.Selector) == 0 {
			t.Errorf("Service/%s: no selector", o.Metadata.Name)
			continue
		}
		found := false
		for _, labels := range podLabels {
			match := true
			for k, v := range o.Spec.Selector {
				if labels[k] != v {
					match = false
				}
			}
			found = found || match
		}
		if !found {
			t.Errorf("Service/%s: selector %v matches no pod template", o.Metadata.Name, o.Spec.Selector)
		}
	}
}

// envFromHas reports whether the container's envFrom ConfigMaps set key.
func envFromHas(c podContainer, data map[string]map[string]string, key string) bool {
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil && data[e.ConfigMapRef.Name][key] != "" {
			return true
		}
	}
	return false
}

func hasArg(args []string, arg string) bool {
	for _, a := range args {
		if a == arg {
			return true
		}
	}
	return false
}

func hasArgPrefix(args []string, prefix string) bool {
	for _, a := range args {
		if strings.HasPrefix(a, prefix) {
			return true
		}
	}
	return false
}

// TestComposeFile checks deploy/compose.yaml's structure and, when
// docker-compose is installed, that it accepts the file.
func TestComposeFile(t *testing.T) {
	path := filepath.Join(repoRoot(t), "deploy", "compose.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version  string `yaml:"version"`
		Name     string `yaml:"name"`
		Services map[string]struct {
			Image         string   `yaml:"image"`
			ContainerName string   `yaml:"container_name"`
			Ports         []string `yaml:"ports"`
			Restart       string   `yaml:"restart"`
			Command       []string `yaml:"command"`
			Healthcheck   *struct {
				Test          []string `yaml:"test"`
				StartInterval string   `yaml:"start_interval"`
			} `yaml:"healthcheck"`
			DependsOn map[string]struct {
				Condition string `yaml:"condition"`
			} `yaml:"depends_on"`
			Volumes     []string          `yaml:"volumes"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	// docker-compose 1.29 (the only one installed) reads the 2.x format;
	// a top-level name and start_interval are newer.
	if !strings.HasPrefix(f.Version, "2.") {
		t.Errorf("version %q: want a 2.x format docker-compose 1.29 accepts", f.Version)
	}
	if f.Name != "" {
		t.Errorf("top-level name: is not understood by docker-compose 1.29")
	}
	// One service per role, each running its own command; the scalable
	// ones must not pin a container name or a host port (--scale fails).
	for _, want := range []string{"broker", "store", "producer", "coordinator", "encoder", "sorter"} {
		s, ok := f.Services[want]
		if !ok {
			t.Errorf("no %s service", want)
			continue
		}
		if len(s.Command) == 0 || s.Command[0] != want {
			t.Errorf("%s: command %q does not run `%s`", want, s.Command, want)
		}
	}
	for _, scalable := range []string{"encoder", "sorter"} {
		s := f.Services[scalable]
		if s.ContainerName != "" || len(s.Ports) > 0 {
			t.Errorf("%s: container_name or ports stop `--scale %s=N`", scalable, scalable)
		}
		for _, v := range s.Volumes {
			// A named volume would be shared by every replica.
			if src, _, ok := strings.Cut(v, ":"); ok && f.Volumes != nil {
				if _, named := f.Volumes[src]; named && !strings.HasSuffix(v, ":ro") {
					t.Errorf("%s: writable named volume %q is shared by every replica", scalable, src)
				}
			}
		}
	}
	for _, svc := range []string{"sorter", "coordinator"} {
		if s := f.Services[svc]; !hasArgPrefix(s.Command, "--pd=") {
			t.Errorf("%s: no --pd (the store is reached through PD)", svc)
		}
	}
	// The import's id is set once, in the environment every role shares,
	// and has no default: two deployments on one Kafka must not meet.
	var idSetting string
	for _, role := range []string{"producer", "coordinator", "encoder", "sorter"} {
		s := f.Services[role]
		v := s.Environment["LIGHTSTREAM_IMPORT_ID"]
		if v == "" || hasArgPrefix(s.Command, "--import-id") {
			t.Errorf("%s: LIGHTSTREAM_IMPORT_ID not set in its environment (or --import-id set on its own)", role)
		}
		if idSetting != "" && v != idSetting {
			t.Errorf("%s: LIGHTSTREAM_IMPORT_ID %q, other roles %q: set it in one place", role, v, idSetting)
		}
		idSetting = v
	}
	if !strings.HasPrefix(idSetting, "${LIGHTSTREAM_IMPORT_ID:?") {
		t.Errorf("LIGHTSTREAM_IMPORT_ID is %q: want it required (${LIGHTSTREAM_IMPORT_ID:?...})", idSetting)
	}
	if s := f.Services["producer"]; s.Restart != "no" {
		t.Errorf("producer: restart %q, want \"no\" (it runs once)", s.Restart)
	}
	for name, s := range f.Services {
		if s.Image == "" {
			t.Errorf("%s: no image", name)
		}
		if len(s.Command) == 0 || !lightstreamCommands[s.Command[0]] {
			t.Errorf("%s: command %q does not start with a lightstream command", name, s.Command)
		}
		if s.Healthcheck == nil || len(s.Healthcheck.Test) < 3 || s.Healthcheck.Test[0] != "CMD" || s.Healthcheck.Test[1] != "/lightstream" || s.Healthcheck.Test[2] != "health" {
			t.Errorf("%s: health check must be [CMD, /lightstream, health, ...]", name)
		} else if s.Healthcheck.StartInterval != "" {
			t.Errorf("%s: start_interval is not understood by docker-compose 1.29", name)
		}
		for dep, d := range s.DependsOn {
			if _, ok := f.Services[dep]; !ok {
				t.Errorf("%s: depends on unknown service %s", name, dep)
			}
			if d.Condition != "service_healthy" {
				t.Errorf("%s: depends on %s with condition %q, want service_healthy", name, dep, d.Condition)
			}
		}
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.ContainsAny(src[:1], "./$") {
				if _, ok := f.Volumes[src]; !ok {
					t.Errorf("%s: named volume %q is not declared", name, src)
				}
			}
		}
	}
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Log("docker-compose not installed: skipping `docker-compose config`")
		return
	}
	cmd := exec.Command("docker-compose", "-f", path, "config", "-q")
	cmd.Env = append(os.Environ(), "LIGHTSTREAM_DUMP="+t.TempDir(), "LIGHTSTREAM_IMPORT_ID=compose-test")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("docker-compose config: %v\n%s", err, out)
	}
	// Without an id, compose refuses to start anything.
	cmd = exec.Command("docker-compose", "-f", path, "config", "-q")
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LIGHTSTREAM_IMPORT_ID=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, "LIGHTSTREAM_DUMP="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "LIGHTSTREAM_IMPORT_ID") {
		t.Errorf("docker-compose config without LIGHTSTREAM_IMPORT_ID: %v\n%s", err, out)
	}
}

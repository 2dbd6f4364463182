// Command oracle runs Flux's own manifest generators (flux2 pkg/manifestgen, used as a library)
// for the differential tests and benchmarks: flux-azdo must produce the same bytes.
//
// Usage: oracle -manifests <dir of Flux's 9 bundle files>
//
// It reads one JSON request per line on stdin and writes one JSON response per line on stdout,
// so one process answers many cases. A request may ask for any of the three files; when it asks
// for the kustomization too, the install and sync files of the same request are written first
// into the directory it scans, as `flux bootstrap` does. A request may also ask for the Git
// credential Secret (sourcesecret.GenerateGit, fed as `flux bootstrap git` feeds it; its SSH
// host key scan dials the real host the request names).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"

	"github.com/fluxcd/flux2/v2/pkg/manifestgen"
	"github.com/fluxcd/flux2/v2/pkg/manifestgen/install"
	"github.com/fluxcd/flux2/v2/pkg/manifestgen/kustomization"
	"github.com/fluxcd/flux2/v2/pkg/manifestgen/sourcesecret"
	"github.com/fluxcd/flux2/v2/pkg/manifestgen/sync"
	"github.com/fluxcd/pkg/kustomize/filesys"
)

// installRequest mirrors flux-azdo's InstallOptions (camelCase), with the full component list
// (Flux's bootstrap passes --components followed by --components-extra as one list).
type installRequest struct {
	Version            string   `json:"version"`
	Namespace          string   `json:"namespace"`
	Components         []string `json:"components"`
	Registry           string   `json:"registry"`
	ImagePullSecret    string   `json:"imagePullSecret"`
	WatchAllNamespaces bool     `json:"watchAllNamespaces"`
	NetworkPolicy      bool     `json:"networkPolicy"`
	LogLevel           string   `json:"logLevel"`
	ClusterDomain      string   `json:"clusterDomain"`
	TolerationKeys     []string `json:"tolerationKeys"`
	TargetPath         string   `json:"targetPath"`
}

// syncRequest mirrors flux-azdo's SyncOptions; url is the final sync URL.
type syncRequest struct {
	URL               string   `json:"url"`
	Namespace         string   `json:"namespace"`
	Branch            string   `json:"branch"`
	Tag               string   `json:"tag"`
	SemVer            string   `json:"semver"`
	Commit            string   `json:"commit"`
	Interval          string   `json:"interval"`
	SecretName        string   `json:"secretName"`
	TargetPath        string   `json:"targetPath"`
	RecurseSubmodules bool     `json:"recurseSubmodules"`
	SparseCheckout    []string `json:"sparseCheckout"`
	Provider          string   `json:"provider"`
}

type kustomizationRequest struct {
	Namespace  string `json:"namespace"`
	TargetPath string `json:"targetPath"`
	// Extra files (name → content) placed next to the generated ones before the scan.
	Files map[string]string `json:"files"`
}

// secretRequest holds the `flux bootstrap git` flags that shape the Git credential Secret, with
// the key file's content in place of --private-key-file and the host to scan in place of the
// URL's (bootstrap scans the sync URL's host; tests point it at a real sshd).
type secretRequest struct {
	Name            string `json:"name"`
	Namespace       string `json:"namespace"`
	TokenAuth       bool   `json:"tokenAuth"`
	WithBearerToken bool   `json:"withBearerToken"`
	Username        string `json:"username"`
	Password        string `json:"password"`
	CACrt           string `json:"caCrt"`
	PrivateKey      string `json:"privateKey"`
	SSHHost         string `json:"sshHost"`
}

// bootstrapRequest holds the `flux bootstrap git` flags its own validation looks at, for the
// refusal-parity test (see validateBootstrap for what is modelled and from where).
type bootstrapRequest struct {
	URL               string   `json:"url"`
	AllowInsecureHTTP bool     `json:"allowInsecureHttp"`
	Namespace         string   `json:"namespace"`
	Components        []string `json:"components"`
	LogLevel          string   `json:"logLevel"`
	Interval          string   `json:"interval"`
	SecretName        string   `json:"secretName"`
	Provider          string   `json:"provider"`
	Path              string   `json:"path"`
}

type request struct {
	ID            json.RawMessage       `json:"id"`
	Bootstrap     *bootstrapRequest     `json:"bootstrap"`
	Install       *installRequest       `json:"install"`
	Sync          *syncRequest          `json:"sync"`
	Kustomization *kustomizationRequest `json:"kustomization"`
	Secret        *secretRequest        `json:"secret"`
}

type result struct {
	Path    string `json:"path,omitempty"`
	Content string `json:"content,omitempty"`
	Error   string `json:"error,omitempty"`
	// Nanoseconds spent in Flux's Generate call alone.
	Nanos int64 `json:"nanos"`
}

type response struct {
	ID            json.RawMessage `json:"id,omitempty"`
	Install       *result         `json:"install,omitempty"`
	Sync          *result         `json:"sync,omitempty"`
	Kustomization *result         `json:"kustomization,omitempty"`
	Secret        *result         `json:"secret,omitempty"`
	Bootstrap     *result         `json:"bootstrap,omitempty"`
	Error         string          `json:"error,omitempty"`
}

func main() {
	manifests := flag.String("manifests", "", "directory with Flux's bundle files (<component>.yaml, rbac.yaml, policies.yaml)")
	flag.Parse()
	if *manifests == "" {
		fmt.Fprintln(os.Stderr, "oracle: -manifests <dir> is required")
		os.Exit(2)
	}
	bundle, err := readBundle(*manifests)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}

	// Paths are joined relative to the working directory (see flagPath): make it an empty one.
	work, err := os.MkdirTemp("", "oracle-cwd-")
	if err == nil {
		defer os.RemoveAll(work)
		err = os.Chdir(work)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}

	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			if encErr := enc.Encode(answer(line, bundle)); encErr != nil {
				fmt.Fprintln(os.Stderr, "oracle:", encErr)
				os.Exit(1)
			}
			// One line in, one line out: the caller waits for each answer.
			if flushErr := out.Flush(); flushErr != nil {
				os.Exit(1)
			}
		}
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "oracle:", err)
			os.Exit(1)
		}
	}
}

func readBundle(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = b
	}
	if _, ok := files["rbac.yaml"]; !ok {
		return nil, fmt.Errorf("%s does not hold Flux's bundle (no rbac.yaml)", dir)
	}
	return files, nil
}

func answer(line []byte, bundle map[string][]byte) response {
	var req request
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return response{Error: "bad request: " + err.Error()}
	}
	resp := response{ID: req.ID}
	if req.Bootstrap != nil {
		resp.Bootstrap = &result{}
		if err := validateBootstrap(*req.Bootstrap, bundle); err != nil {
			resp.Bootstrap.Error = err.Error()
		}
	}
	var generated []*manifestgen.Manifest
	if req.Install != nil {
		m, r := runInstall(*req.Install, bundle)
		resp.Install = r
		if m != nil {
			generated = append(generated, m)
		}
	}
	if req.Sync != nil {
		m, r := runSync(*req.Sync)
		resp.Sync = r
		if m != nil {
			generated = append(generated, m)
		}
	}
	if req.Kustomization != nil {
		resp.Kustomization = runKustomization(*req.Kustomization, generated)
	}
	if req.Secret != nil {
		resp.Secret = runSecret(*req.Secret)
	}
	return resp
}

func runInstall(r installRequest, bundle map[string][]byte) (*manifestgen.Manifest, *result) {
	// install.Generate writes its kustomization next to the bundle files, so each request gets a
	// fresh copy (as the flux CLI writes its embedded bundle into a fresh temp dir).
	base, err := os.MkdirTemp("", "oracle-manifests-")
	if err != nil {
		return nil, &result{Error: err.Error()}
	}
	defer os.RemoveAll(base)
	for name, content := range bundle {
		if err := os.WriteFile(filepath.Join(base, name), content, 0o644); err != nil {
			return nil, &result{Error: err.Error()}
		}
	}

	opts := install.MakeDefaultOptions()
	opts.Version = r.Version
	opts.Namespace = r.Namespace
	opts.Components = r.Components
	opts.Registry = r.Registry
	opts.ImagePullSecret = r.ImagePullSecret
	opts.WatchAllNamespaces = r.WatchAllNamespaces
	opts.NetworkPolicy = r.NetworkPolicy
	opts.LogLevel = r.LogLevel
	opts.ClusterDomain = r.ClusterDomain
	opts.TolerationKeys = r.TolerationKeys
	if opts.TargetPath, err = flagPath(r.TargetPath); err != nil {
		return nil, &result{Error: err.Error()}
	}

	start := time.Now()
	m, err := install.Generate(opts, base)
	nanos := time.Since(start).Nanoseconds()
	if err != nil {
		return nil, &result{Error: err.Error(), Nanos: nanos}
	}
	return m, &result{Path: m.Path, Content: m.Content, Nanos: nanos}
}

func runSync(r syncRequest) (*manifestgen.Manifest, *result) {
	interval, err := time.ParseDuration(r.Interval)
	if err != nil {
		return nil, &result{Error: err.Error()}
	}
	opts := sync.MakeDefaultOptions()
	opts.Interval = interval
	opts.URL = r.URL
	opts.Name = r.Namespace
	opts.Namespace = r.Namespace
	opts.Branch = r.Branch
	opts.Tag = r.Tag
	opts.SemVer = r.SemVer
	opts.Commit = r.Commit
	opts.Secret = r.SecretName
	if opts.TargetPath, err = flagPath(r.TargetPath); err != nil {
		return nil, &result{Error: err.Error()}
	}
	opts.RecurseSubmodules = r.RecurseSubmodules
	opts.SparseCheckout = r.SparseCheckout
	opts.Provider = r.Provider

	start := time.Now()
	m, err := sync.Generate(opts)
	nanos := time.Since(start).Nanoseconds()
	if err != nil {
		return nil, &result{Error: err.Error(), Nanos: nanos}
	}
	return m, &result{Path: m.Path, Content: m.Content, Nanos: nanos}
}

// flagPath turns a raw --path value into what `flux bootstrap` passes to the generators: its
// flag type joins the value securely onto "./" and keeps a "./" prefix. Run the oracle in an
// empty working directory, since the join resolves symlinks relative to it.
func flagPath(raw string) (string, error) {
	clean, err := securejoin.SecureJoin("./", strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("invalid relative path '%s': %w", raw, err)
	}
	if clean == "." {
		clean = ""
	}
	return "./" + filepath.ToSlash(clean), nil
}

// runKustomization lays the request's files out as a bootstrap's clone would hold them and lets
// Flux write the fresh kustomization.yaml, as `flux bootstrap` does after writing gotk-sync.yaml.
func runKustomization(r kustomizationRequest, generated []*manifestgen.Manifest) *result {
	root, err := os.MkdirTemp("", "oracle-repo-")
	if err != nil {
		return &result{Error: err.Error()}
	}
	defer os.RemoveAll(root)
	fs, err := filesys.MakeFsOnDiskSecureBuild(root)
	if err != nil {
		return &result{Error: err.Error()}
	}
	targetPath, err := flagPath(r.TargetPath)
	if err != nil {
		return &result{Error: err.Error()}
	}
	dir := path.Join(targetPath, r.Namespace)
	if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
		return &result{Error: err.Error()}
	}
	for _, m := range generated {
		if err := fs.WriteFile(filepath.Join(root, m.Path), []byte(m.Content)); err != nil {
			return &result{Error: err.Error()}
		}
	}
	for name, content := range r.Files {
		if err := fs.WriteFile(filepath.Join(root, dir, name), []byte(content)); err != nil {
			return &result{Error: err.Error()}
		}
	}

	start := time.Now()
	m, err := kustomization.Generate(kustomization.Options{
		FileSystem: fs,
		BaseDir:    root,
		TargetPath: dir,
	})
	nanos := time.Since(start).Nanoseconds()
	if err != nil {
		return &result{Error: err.Error(), Nanos: nanos}
	}
	return &result{Path: m.Path, Content: m.Content, Nanos: nanos}
}

// runSecret builds sourcesecret.Options the way bootstrapGitCmdRun does (cmd/flux/bootstrap_git.go
// in v2.9.4): token auth sets the user and password, or the bearer token, and the CA; SSH loads
// the key file with --password as its passphrase, and GenerateGit scans the SSH host's key.
func runSecret(r secretRequest) *result {
	opts := sourcesecret.Options{
		Name:         r.Name,
		Namespace:    r.Namespace,
		ManifestFile: sourcesecret.MakeDefaultOptions().ManifestFile,
	}
	if r.TokenAuth || r.WithBearerToken {
		if r.WithBearerToken {
			opts.BearerToken = r.Password
		} else {
			opts.Username = r.Username
			opts.Password = r.Password
		}
		if r.CACrt != "" {
			opts.CACrt = []byte(r.CACrt)
		}
	} else {
		opts.Password = r.Password
		keypair, err := sourcesecret.LoadKeyPair([]byte(r.PrivateKey), r.Password)
		if err != nil {
			return &result{Error: "load key: " + err.Error()}
		}
		opts.Keypair = keypair
		opts.SSHHostname = r.SSHHost
	}
	start := time.Now()
	m, err := sourcesecret.GenerateGit(opts)
	nanos := time.Since(start).Nanoseconds()
	if err != nil {
		return &result{Error: err.Error(), Nanos: nanos}
	}
	return &result{Path: m.Path, Content: m.Content, Nanos: nanos}
}

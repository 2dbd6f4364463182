package main

// What `flux bootstrap git` (v2.9.4) refuses before or while it writes, for the refusal-parity
// test. Flux's own code is used where it is exported; where it is internal to the flux CLI the
// rule is restated here, citing where it lives. The CRD rules are read from the bundle's CRDs,
// so they are the ones the apiserver enforces when bootstrap applies gotk-sync.yaml.

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/fluxcd/flux2/v2/pkg/manifestgen/install"
)

// cmd/flux/bootstrap.go: bootstrapArgs.requiredComponents.
var requiredComponents = []string{"source-controller", "kustomize-controller"}

// internal/flags/log_level.go: supportedLogLevels.
var supportedLogLevels = []string{"debug", "info", "error"}

func validateBootstrap(r bootstrapRequest, bundle map[string][]byte) error {
	// cmd/flux/main.go: the -n flag must be a DNS-1123 label.
	if errs := validation.IsDNS1123Label(r.Namespace); len(errs) > 0 {
		return fmt.Errorf("namespace: %v", errs)
	}
	// internal/flags/log_level.go LogLevel.Set.
	if !slices.Contains(supportedLogLevels, r.LogLevel) {
		return fmt.Errorf("log-level: unsupported log level '%s'", r.LogLevel)
	}
	// pflag DurationVar: time.ParseDuration.
	interval, err := time.ParseDuration(r.Interval)
	if err != nil {
		return fmt.Errorf("interval: %w", err)
	}
	// internal/flags/safe_relative_path.go SafeRelativePath.Set.
	if _, err := flagPath(r.Path); err != nil {
		return fmt.Errorf("path: %w", err)
	}
	// cmd/flux/bootstrap.go bootstrapValidate and internal/utils ValidateComponents.
	for _, c := range requiredComponents {
		if !slices.Contains(r.Components, c) {
			return fmt.Errorf("components: component %s is required", c)
		}
	}
	defaults := install.MakeDefaultOptions()
	known := append(slices.Clone(defaults.Components), defaults.ComponentsExtra...)
	for _, c := range r.Components {
		if !slices.Contains(known, c) {
			return fmt.Errorf("components: component %s is not available", c)
		}
	}
	// cmd/flux/bootstrap_git.go: url.Parse; then fluxcd/pkg/git's clients, which speak
	// http(s) and ssh only and send no credentials over plain http unless allowed.
	u, err := url.Parse(r.URL)
	if err != nil {
		return fmt.Errorf("url: %w", err)
	}
	switch u.Scheme {
	case "https", "ssh":
	case "http":
		if !r.AllowInsecureHTTP {
			return fmt.Errorf("url: credentials over plain http refused without --allow-insecure-http")
		}
	default:
		return fmt.Errorf("url: unsupported scheme %q", u.Scheme)
	}
	// The apiserver, when bootstrap applies the Secret: its name must be a DNS-1123 subdomain.
	if errs := validation.IsDNS1123Subdomain(r.SecretName); len(errs) > 0 {
		return fmt.Errorf("secret-name: %v", errs)
	}
	// The apiserver, when bootstrap applies gotk-sync.yaml: the GitRepository CRD's schema.
	schema, err := gitRepositorySpecSchema(bundle)
	if err != nil {
		return err
	}
	written := metaDurationString(interval)
	if !regexp.MustCompile(schema.Interval.Pattern).MatchString(written) {
		return fmt.Errorf("interval: %q does not match the GitRepository CRD's pattern %s", written, schema.Interval.Pattern)
	}
	if r.Provider != "" && !slices.Contains(schema.Provider.Enum, r.Provider) {
		return fmt.Errorf("provider: %q is not one of the GitRepository CRD's %v", r.Provider, schema.Provider.Enum)
	}
	return nil
}

// metav1.Duration marshals as time.Duration.String().
func metaDurationString(d time.Duration) string { return d.String() }

type specSchema struct {
	Interval struct {
		Pattern string `json:"pattern"`
	} `json:"interval"`
	Provider struct {
		Enum []string `json:"enum"`
	} `json:"provider"`
}

// gitRepositorySpecSchema reads spec.interval and spec.provider of the served v1 GitRepository
// from the bundle's source-controller CRD.
func gitRepositorySpecSchema(bundle map[string][]byte) (*specSchema, error) {
	for _, doc := range bytes.Split(bundle["source-controller.yaml"], []byte("\n---\n")) {
		var crd struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Spec struct {
				Versions []struct {
					Name   string `json:"name"`
					Schema struct {
						OpenAPIV3Schema struct {
							Properties struct {
								Spec struct {
									Properties specSchema `json:"properties"`
								} `json:"spec"`
							} `json:"properties"`
						} `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(doc, &crd); err != nil || crd.Kind != "CustomResourceDefinition" ||
			crd.Metadata.Name != "gitrepositories.source.toolkit.fluxcd.io" {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Name == "v1" {
				s := v.Schema.OpenAPIV3Schema.Properties.Spec.Properties
				return &s, nil
			}
		}
	}
	return nil, fmt.Errorf("the bundle has no v1 GitRepository CRD")
}

// The patches Flux's documentation gives for a bootstrap's flux-system/kustomization.yaml
// (fluxcd.io "Flux bootstrap for ..." customization and cheatsheet pages: resource limits, node
// selectors and tolerations, controller flags, proxies, workload identity, multi-tenancy
// lock-down), written here as cases for the differential test against real kustomize, plus the
// host key patch flux-azdo adds and the selector forms (labels, annotations, name regex).
// Each case: `kustomization` (text) and `files` (name → text) besides gotk-components.yaml and
// gotk-sync.yaml, which every kustomization lists first.

const head = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- gotk-components.yaml
- gotk-sync.yaml
`;

export const buildCases = [
  { name: 'fresh bootstrap', kustomization: head, files: {} },
  {
    name: 'resource limits (strategic merge, name regex)',
    kustomization: `${head}patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: all
    spec:
      template:
        spec:
          containers:
          - name: manager
            resources:
              limits:
                cpu: 2000m
                memory: 2Gi
  target:
    kind: Deployment
    name: "(kustomize-controller|helm-controller)"
`,
    files: {},
  },
  {
    name: 'node selector and tolerations on every controller',
    kustomization: `${head}patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: all
    spec:
      template:
        spec:
          nodeSelector:
            role: flux
          tolerations:
          - effect: NoSchedule
            key: role
            operator: Equal
            value: flux
  target:
    kind: Deployment
`,
    files: {},
  },
  {
    name: 'controller flags (JSON 6902 add to args)',
    kustomization: `${head}patches:
- patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --concurrent=20
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --requeue-dependency=5s
  target:
    kind: Deployment
    name: "(kustomize-controller|helm-controller|source-controller)"
`,
    files: {},
  },
  {
    name: 'multi-tenancy lock-down',
    kustomization: `${head}patches:
- patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/0
      value: --no-cross-namespace-refs=true
  target:
    kind: Deployment
    name: "(kustomize-controller|helm-controller|notification-controller|image-reflector-controller|image-automation-controller)"
- patch: |
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --default-service-account=default
    - op: replace
      path: /spec/template/spec/hostNetwork
      value: false
  target:
    kind: Deployment
    name: "(kustomize-controller|helm-controller)"
`,
    files: {},
  },
  {
    name: 'workload identity: service account annotations and pod label',
    kustomization: `${head}patches:
- patch: |
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: source-controller
      annotations:
        azure.workload.identity/client-id: 00000000-0000-0000-0000-000000000001
        azure.workload.identity/tenant-id: 00000000-0000-0000-0000-000000000002
  target:
    kind: ServiceAccount
    name: source-controller
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: source-controller
    spec:
      template:
        metadata:
          labels:
            azure.workload.identity/use: "true"
  target:
    kind: Deployment
    name: source-controller
`,
    files: {},
  },
  {
    name: 'proxy env on the controllers a label selector picks',
    kustomization: `${head}patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: all
    spec:
      template:
        spec:
          containers:
          - name: manager
            env:
            - name: HTTPS_PROXY
              value: http://proxy.example.com:3129
            - name: NO_PROXY
              value: .cluster.local.,.cluster.local,.svc
            - name: RUNTIME_NAMESPACE
              value: overridden
  target:
    kind: Deployment
    labelSelector: app.kubernetes.io/component in (source-controller,kustomize-controller),control-plane=controller
`,
    files: {},
  },
  {
    name: 'annotation selector and a name regex over service accounts',
    kustomization: `${head}patches:
- patch: |
    - op: add
      path: /metadata/labels/crd-marked
      value: "yes"
  target:
    group: apiextensions.k8s.io
    kind: CustomResourceDefinition
    annotationSelector: controller-gen.kubebuilder.io/version
- patch: |
    apiVersion: v1
    kind: ServiceAccount
    metadata:
      name: any
      annotations:
        example.com/owner: platform
  target:
    kind: ServiceAccount
    name: ".*-controller"
    namespace: flux-system
`,
    files: {},
  },
  {
    name: 'a custom CA mounted into source-controller (volumes and volume mounts by key)',
    kustomization: `${head}- ca.yaml
patches:
- path: source-ca.yaml
`,
    files: {
      'ca.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: custom-ca
  namespace: flux-system
data:
  ca.crt: |
    not a real certificate
`,
      'source-ca.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: source-controller
  namespace: flux-system
spec:
  template:
    spec:
      containers:
      - name: manager
        volumeMounts:
        - name: custom-ca
          mountPath: /etc/ssl/certs/custom-ca.crt
          subPath: ca.crt
        - name: tmp
          mountPath: /tmp
          readOnly: false
      volumes:
      - name: custom-ca
        configMap:
          name: custom-ca
`,
    },
  },
  {
    name: 'legacy patchesStrategicMerge and patchesJson6902, and $patch: delete',
    kustomization: `${head}patchesStrategicMerge:
- limits.yaml
- |-
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: allow-scraping
    namespace: flux-system
  $patch: delete
patchesJson6902:
- target:
    group: apps
    version: v1
    kind: Deployment
    name: helm-controller
  path: helm-flags.yaml
`,
    files: {
      'limits.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: helm-controller
  namespace: flux-system
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: manager
        resources:
          requests:
            memory: 256Mi
`,
      'helm-flags.yaml': `- op: replace
  path: /spec/replicas
  value: 3
- op: add
  path: /spec/template/spec/containers/0/args/-
  value: --concurrent=10
`,
    },
  },
];

/** Folders kustomize itself refuses to build: flux-azdo refuses them as KUSTOMIZATION_INVALID. */
export const invalidCases = [
  {
    name: 'a strategic merge patch without a target naming no namespace',
    kustomization: `${head}patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: source-controller
    spec:
      replicas: 2
`,
  },
  {
    name: 'a JSON 6902 replace under a mapping that is not there',
    kustomization: `${head}patches:
- patch: |
    - op: replace
      path: /spec/template/spec/dnsConfig/nameservers
      value: [10.0.0.10]
  target:
    kind: Deployment
    name: source-controller
`,
  },
  { name: 'a resource file that is not there', kustomization: `${head}- missing.yaml\n` },
  { name: 'the same object twice', kustomization: `${head}- gotk-components.yaml\n` },
];

/** Folders kustomize builds but flux-azdo does not: KUSTOMIZATION_UNSUPPORTED naming the field. */
export const unsupportedCases = [
  { field: 'components', kustomization: `${head}components:\n- ../../components/extra\n` },
  { field: 'configMapGenerator', kustomization: `${head}configMapGenerator:\n- name: settings\n  literals: [a=b]\n` },
  { field: 'images', kustomization: `${head}images:\n- name: ghcr.io/fluxcd/source-controller\n  newTag: v1.9.5\n` },
  { field: 'helmCharts', kustomization: `${head}helmCharts:\n- name: podinfo\n  repo: https://stefanprodan.github.io/podinfo\n` },
  {
    field: 'resources[2]: https://github.com/fluxcd/flux2/manifests/install?ref=v2.9.4',
    kustomization: `${head}- https://github.com/fluxcd/flux2/manifests/install?ref=v2.9.4\n`,
  },
];

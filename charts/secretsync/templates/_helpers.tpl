{{/*
Chart name, overridable.
*/}}
{{- define "secretsync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or <release> when it already contains the chart name. Cluster-scoped
objects (ClusterRole, ClusterRoleBinding) carry it, so two releases never share them.
*/}}
{{- define "secretsync.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Full name with a suffix, still at most 63 characters.
*/}}
{{- define "secretsync.suffixed" -}}
{{- $full := include "secretsync.fullname" .ctx }}
{{- printf "%s-%s" ($full | trunc (int (sub 62 (len .suffix)))) .suffix | trimSuffix "-" }}
{{- end }}

{{/*
Name of the Lease the replicas of this release elect a leader through (--leader-elect-lease).
Per release, so two releases in one namespace never share it.
*/}}
{{- define "secretsync.leaseName" -}}
{{- include "secretsync.suffixed" (dict "ctx" . "suffix" "leader") }}
{{- end }}

{{/*
Name of the Secret holding this release's digest HMAC key (--digest-key-secret). Per release.
*/}}
{{- define "secretsync.digestKeySecret" -}}
{{- include "secretsync.suffixed" (dict "ctx" . "suffix" "digest-key") }}
{{- end }}

{{/*
Chart label value.
*/}}
{{- define "secretsync.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "secretsync.labels" -}}
helm.sh/chart: {{ include "secretsync.chart" . }}
{{ include "secretsync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: secretsync
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "secretsync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "secretsync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/*
Name of the ServiceAccount the controller runs as.
*/}}
{{- define "secretsync.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "secretsync.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Controller image reference.
*/}}
{{- define "secretsync.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
The subject every binding grants to.
*/}}
{{- define "secretsync.subjects" -}}
- kind: ServiceAccount
  name: {{ include "secretsync.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}

{{/*
The secretsync.io rules. `.kinds` lists the plural resource names: all three for the ClusterRole when every
namespace is watched, the namespaced ones for the Role in watchNamespace, clustersecretstores for the small
ClusterRole next to it.
*/}}
{{- define "secretsync.crdRules" -}}
- apiGroups: ["secretsync.io"]
  resources: [{{ range $i, $k := .kinds }}{{ if $i }}, {{ end }}{{ $k | quote }}{{ end }}]
  verbs: ["get", "list", "watch"]
- apiGroups: ["secretsync.io"]
  resources: [{{ range $i, $k := .kinds }}{{ if $i }}, {{ end }}{{ printf "%s/status" $k | quote }}{{ end }}]
  verbs: ["patch"]
{{- if has "externalsecrets" .kinds }}
# Target Secrets carry ownerReferences to their ExternalSecret with blockOwnerDeletion=true.
- apiGroups: ["secretsync.io"]
  resources: ["externalsecrets/finalizers"]
  verbs: ["update"]
{{- end }}
{{- end }}

{{/*
ClusterExternalSecrets (cluster-wide installations only): read them, write their status, and create,
update and delete the ExternalSecrets they keep in each matching namespace.
*/}}
{{- define "secretsync.clusterExternalSecretRules" -}}
- apiGroups: ["secretsync.io"]
  resources: ["clusterexternalsecrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["secretsync.io"]
  resources: ["clusterexternalsecrets/status"]
  verbs: ["patch"]
- apiGroups: ["secretsync.io"]
  resources: ["externalsecrets"]
  verbs: ["create", "patch", "delete"]
{{- end }}

{{/*
Rules on core and workload resources in the watched namespace(s): target Secrets, ServiceAccounts
(per-tenant IRSA), workloads restarted on rotation, Events. Mirrors the controller's real API calls.
*/}}
{{- define "secretsync.workloadRules" -}}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["configmaps"]
  {{- if and .Values.genericTargets.enabled .Values.reloader.enabled }}
  verbs: ["get", "list", "watch", "create", "patch"]
  {{- else if .Values.genericTargets.enabled }}
  verbs: ["get", "create", "patch"]
  {{- else if .Values.reloader.enabled }}
  verbs: ["get", "list", "watch"]
  {{- else }}
  verbs: ["get"]
  {{- end }}
{{- if .Values.genericTargets.enabled }}
{{- range .Values.genericTargets.extraResources }}
- apiGroups: {{ toJson .apiGroups }}
  resources: {{ toJson .resources }}
  verbs: ["get", "create", "patch"]
{{- end }}
{{- end }}
{{- if .Values.perTenantIRSA.enabled }}
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
{{- end }}
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  {{- if .Values.reloader.enabled }}
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete", "patch"]
  {{- else }}
  verbs: ["list", "patch"]
  {{- end }}
- apiGroups: ["argoproj.io"]
  resources: ["rollouts"]
  {{- if .Values.reloader.enabled }}
  verbs: ["get", "list", "watch", "patch"]
  {{- else }}
  verbs: ["list", "patch"]
  {{- end }}
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/*
Namespace labels, read to evaluate ClusterSecretStore conditions.
*/}}
{{- define "secretsync.namespaceRules" -}}
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
{{- end }}

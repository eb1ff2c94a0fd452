import Foundation
import Spec
import Tabular

/// `type: kubernetes`: a ServiceAccount without a token, a Deployment (non-root, read-only
/// root filesystem, no privilege escalation, no capabilities, probes on the v2 health
/// endpoints, requests and limits, secrets from Kubernetes Secrets), a Service and a
/// HorizontalPodAutoscaler, applied with kubectl.
enum KubernetesTarget {
    static let manifest = "kubernetes.yaml"

    static func plan(_ settings: DeployTarget.Kubernetes, _ context: PlanContext) -> DeploymentPlan {
        let file = "${DEPLOY_DIR}/\(manifest)"
        let apply = context.imageBuildSteps + context.pushSteps + [
            CommandStep("apply the manifests", ["kubectl", "apply", "--filename", file, "--output", "name"], capture: "APPLIED", records: true),
            CommandStep("wait for the rollout", ["kubectl", "rollout", "status", "deployment/\(context.resourceName)", "--namespace", settings.namespace, "--timeout", "300s"]),
        ]
        let destroy = [
            CommandStep("delete what the manifests created", ["kubectl", "delete", "--filename", file, "--ignore-not-found"]),
        ]
        return DeploymentPlan(target: context.name, kind: context.target.platform.kind.rawValue,
                              files: [GeneratedFile(manifest, manifests(settings, context))], apply: apply, destroy: destroy,
                              tools: [.containerEngine, .kubectl])
    }

    static func manifests(_ settings: DeployTarget.Kubernetes, _ context: PlanContext) -> String {
        let name = context.resourceName
        let namespace = settings.namespace
        let port = context.target.port
        let secrets = context.target.secrets
        let scheme = secrets.tlsCertificate == nil ? "HTTP" : "HTTPS"
        var labels = ["app.kubernetes.io/name: \(YAMLText.quote(name))", "app.kubernetes.io/component: model-server",
                      "app.kubernetes.io/managed-by: runner"]
        labels += context.labels.map { "\($0.0): \(YAMLText.quote($0.1))" }
        func indented(_ lines: [String], _ spaces: Int) -> String {
            lines.map { String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
        }
        func metadata(_ spaces: Int) -> String {
            indented(["name: \(YAMLText.quote(name))", "namespace: \(YAMLText.quote(namespace))", "labels:"] + labels.map { "  " + $0 }, spaces)
        }
        var environment: [String] = []
        var mounts = ["- name: tmp", "  mountPath: /tmp"]
        var volumes = ["- name: tmp", "  emptyDir:", "    medium: Memory", "    sizeLimit: 64Mi"]
        for (secret, reference) in secrets.all {
            guard case .kubernetesSecret(let secretName, let key) = reference else { continue }
            if secret == "bundle_key" {
                environment += [
                    "- name: RUNNER_BUNDLE_KEY", "  valueFrom:", "    secretKeyRef:",
                    "      name: \(YAMLText.quote(secretName))", "      key: \(YAMLText.quote(key))",
                    "- name: RUNNER_SERVE_KEY_ENV", "  value: RUNNER_BUNDLE_KEY",
                ]
            } else {
                let volume = "secret-" + secret.replacingOccurrences(of: "_", with: "-")
                let folder = "\(ContainerImage.secretsFolder)/\(secret)"
                environment += ["- name: \(ServerSecrets.variable(secret))", "  value: \(YAMLText.quote(folder + "/" + secret))"]
                mounts += ["- name: \(volume)", "  mountPath: \(YAMLText.quote(folder))", "  readOnly: true"]
                volumes += ["- name: \(volume)", "  secret:", "    secretName: \(YAMLText.quote(secretName))", "    defaultMode: 0440",
                            "    items:", "      - key: \(YAMLText.quote(key))", "        path: \(secret)"]
            }
        }
        func probe(_ path: String, period: Int, failures: Int) -> [String] {
            ["httpGet:", "  path: \(path)", "  port: http", "  scheme: \(scheme)", "periodSeconds: \(period)", "timeoutSeconds: 3", "failureThreshold: \(failures)"]
        }
        let container: [String] = [
            "- name: server",
            "  image: \(YAMLText.quote(context.image))",
            "  imagePullPolicy: IfNotPresent",
            "  args:",
            "    - \(YAMLText.quote(ContainerImage.bundlePath))",
            "  ports:",
            "    - name: http",
            "      containerPort: \(port)",
            "      protocol: TCP",
            "  env:",
            "    - name: RUNNER_SERVE_HOST",
            "      value: \"0.0.0.0\"",
            "    - name: RUNNER_SERVE_PORT",
            "      value: \"\(port)\"",
        ] + environment.map { "    " + $0 } + [
            "  resources:",
            "    requests:",
            "      cpu: \(YAMLText.quote(settings.cpuRequest))",
            "      memory: \(YAMLText.quote(settings.memoryRequest))",
            "    limits:",
            "      cpu: \(YAMLText.quote(settings.cpuLimit))",
            "      memory: \(YAMLText.quote(settings.memoryLimit))",
            "  startupProbe:",
        ] + probe("/v2/health/ready", period: 2, failures: 60).map { "    " + $0 } + ["  readinessProbe:"]
            + probe("/v2/health/ready", period: 5, failures: 3).map { "    " + $0 } + ["  livenessProbe:"]
            + probe("/v2/health/live", period: 10, failures: 3).map { "    " + $0 } + [
            "  securityContext:",
            "    allowPrivilegeEscalation: false",
            "    readOnlyRootFilesystem: true",
            "    runAsNonRoot: true",
            "    capabilities:",
            "      drop:",
            "        - ALL",
            "  volumeMounts:",
        ] + mounts.map { "    " + $0 }
        var documents = [
            "# `runner serve` for experiment '\(context.subject.experiment)' (bundle \(context.subject.shortDigest)), generated by runner \(context.subject.runnerVersion).\n"
                + "# Secrets come from Kubernetes Secrets by name; none is written here.",
        ]
        documents.append("""
            apiVersion: v1
            kind: ServiceAccount
            metadata:
            \(metadata(2))
            automountServiceAccountToken: false
            """)
        documents.append("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
            \(metadata(2))
            spec:
              replicas: \(settings.replicas)
              selector:
                matchLabels:
                  app.kubernetes.io/name: \(YAMLText.quote(name))
              template:
                metadata:
                  labels:
            \(indented(labels, 8))
                spec:
                  serviceAccountName: \(YAMLText.quote(name))
                  automountServiceAccountToken: false
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 65532
                    runAsGroup: 65532
                    fsGroup: 65532
                    seccompProfile:
                      type: RuntimeDefault
                  containers:
            \(indented(container, 8))
                  volumes:
            \(indented(volumes, 8))
            """)
        documents.append("""
            apiVersion: v1
            kind: Service
            metadata:
            \(metadata(2))
            spec:
              type: ClusterIP
              selector:
                app.kubernetes.io/name: \(YAMLText.quote(name))
              ports:
                - name: http
                  port: \(port)
                  targetPort: http
                  protocol: TCP
            """)
        documents.append("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata:
            \(metadata(2))
            spec:
              scaleTargetRef:
                apiVersion: apps/v1
                kind: Deployment
                name: \(YAMLText.quote(name))
              minReplicas: \(settings.replicas)
              maxReplicas: \(settings.maxReplicas)
              metrics:
                - type: Resource
                  resource:
                    name: cpu
                    target:
                      type: Utilization
                      averageUtilization: 70
            """)
        return documents.joined(separator: "\n---\n") + "\n"
    }
}

/// Scalars for the YAML the planners write by hand (key order is part of the output, so
/// no dictionary-based emitter): JSON's double-quoted strings are valid YAML.
enum YAMLText {
    static func quote(_ text: String) -> String { JSONString.quoted(text) }
}

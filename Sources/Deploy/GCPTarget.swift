import Spec

/// `type: gcp_compute`: a service account allowed to read only these Secret Manager secrets
/// and the archive's objects, a firewall rule open only to `allow_cidr` on the server's port
/// (for this instance's network tag), and a Shielded VM booted with the cloud-init data.
enum GCPTarget {
    static func plan(_ gcp: DeployTarget.GCP, _ context: PlanContext) -> DeploymentPlan {
        let name = context.resourceName
        let project = ["--project", gcp.project]
        // Service account ids are 6 to 30 characters.
        let accountID = String(name.prefix(30)).trimmingSuffix("-")
        let email = "\(accountID)@\(gcp.project).iam.gserviceaccount.com"
        let storage = StorageLocation(gcp.artifacts)
        let archive = "\(gcp.artifacts)/\(context.archiveName)"
        let firewall = "\(name)-\(context.target.port)"
        let labels = context.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        var apply: [CommandStep] = context.target.image == nil ? context.imageArchiveSteps : context.imageBuildSteps + context.pushSteps
        if context.target.image == nil {
            apply.append(CommandStep("upload the image archive", ["gcloud", "storage", "cp", "${DEPLOY_DIR}/image.tar", archive] + project))
        }
        apply += [
            CommandStep("look for the service account", ["gcloud", "iam", "service-accounts", "list"] + project + ["--filter", "email=\(email)", "--format", "value(email)"],
                        capture: "ACCOUNT", records: true),
            CommandStep("create the service account", ["gcloud", "iam", "service-accounts", "create", accountID] + project
                        + ["--display-name", "runner serve \(context.name)"], unless: "ACCOUNT"),
        ]
        if context.target.image == nil {
            let objects = "projects/_/buckets/\(storage.container)/objects/" + (storage.prefix.isEmpty ? "" : storage.prefix + "/") + context.archiveName
            apply.append(CommandStep("let it read the archive only", ["gcloud", "storage", "buckets", "add-iam-policy-binding", "gs://\(storage.container)",
                                                                      "--member", "serviceAccount:\(email)", "--role", "roles/storage.objectViewer",
                                                                      "--condition", "expression=resource.name == '\(objects)',title=\(name)-archive", "--format", "none"]))
        }
        for (secret, reference) in context.target.secrets.all {
            guard case .gcpSecret(let secretName) = reference else { continue }
            apply.append(CommandStep("let it read \(secret) only", ["gcloud", "secrets", "add-iam-policy-binding", secretName] + project
                                     + ["--member", "serviceAccount:\(email)", "--role", "roles/secretmanager.secretAccessor", "--format", "none"]))
        }
        apply += [
            CommandStep("look for the firewall rule", ["gcloud", "compute", "firewall-rules", "list"] + project + ["--filter", "name=\(firewall)", "--format", "value(name)"],
                        capture: "FIREWALL", records: true),
            CommandStep("allow \(gcp.exposure.allowCIDR) on port \(context.target.port) to this instance only",
                        ["gcloud", "compute", "firewall-rules", "create", firewall] + project + ["--network", "default", "--direction", "INGRESS", "--action", "ALLOW",
                                                                                                 "--rules", "tcp:\(context.target.port)", "--source-ranges", gcp.exposure.allowCIDR,
                                                                                                 "--target-tags", name, "--format", "value(name)"],
                        capture: "FIREWALL", unless: "FIREWALL", records: true),
            CommandStep("look for the instance", ["gcloud", "compute", "instances", "list"] + project + ["--filter", "name=\(name) AND zone:\(gcp.zone)", "--format", "value(name)"],
                        capture: "INSTANCE", records: true),
            CommandStep("create the instance (Shielded VM, project SSH keys blocked)",
                        ["gcloud", "compute", "instances", "create", name] + project + ["--zone", gcp.zone, "--machine-type", gcp.machineType,
                                                                                        "--image-family", "ubuntu-2204-lts", "--image-project", "ubuntu-os-cloud",
                                                                                        "--service-account", email, "--scopes", "cloud-platform", "--tags", name,
                                                                                        "--metadata-from-file", "user-data=${DEPLOY_DIR}/cloud-init.yaml",
                                                                                        "--metadata", "block-project-ssh-keys=true",
                                                                                        "--shielded-secure-boot", "--shielded-vtpm", "--shielded-integrity-monitoring",
                                                                                        "--labels", labels, "--format", "value(name)"],
                        capture: "INSTANCE", unless: "INSTANCE", records: true),
            CommandStep("read its address", ["gcloud", "compute", "instances", "describe", name] + project + ["--zone", gcp.zone,
                                                                                                            "--format", "value(networkInterfaces[0].accessConfigs[0].natIP)"],
                        capture: "ADDRESS", records: true),
        ]
        var destroy = [
            CommandStep("find the instance", ["gcloud", "compute", "instances", "list"] + project + ["--filter", "name=\(name) AND zone:\(gcp.zone)", "--format", "value(name)"],
                        capture: "INSTANCE"),
            CommandStep("delete it", ["gcloud", "compute", "instances", "delete", name] + project + ["--zone", gcp.zone, "--quiet"], when: "INSTANCE"),
            CommandStep("find the firewall rule", ["gcloud", "compute", "firewall-rules", "list"] + project + ["--filter", "name=\(firewall)", "--format", "value(name)"],
                        capture: "FIREWALL"),
            CommandStep("delete it", ["gcloud", "compute", "firewall-rules", "delete", firewall] + project + ["--quiet"], when: "FIREWALL"),
            CommandStep("find the service account", ["gcloud", "iam", "service-accounts", "list"] + project + ["--filter", "email=\(email)", "--format", "value(email)"],
                        capture: "ACCOUNT"),
            CommandStep("delete it (its grants go with it)", ["gcloud", "iam", "service-accounts", "delete", email] + project + ["--quiet"], when: "ACCOUNT"),
        ]
        if context.target.image == nil {
            destroy.append(CommandStep("delete the image archive", ["gcloud", "storage", "rm", archive] + project))
        }
        let bootstrap = VMBootstrap(context: context, cloud: VMBootstrap.Cloud(
            engine: "podman", packages: ["podman"], setup: [],
            fetchArchive: { path in "gcloud storage cp \(ShellScript.quote(archive)) \(path)" },
            registryLogin: { image in
                let host = String(image.split(separator: "/").first ?? "")
                guard host.hasSuffix("-docker.pkg.dev") || host.hasSuffix("gcr.io") else { return nil }
                return "gcloud auth print-access-token | podman login --username oauth2accesstoken --password-stdin \(ShellScript.quote(host))"
            },
            readSecret: { reference in
                guard case .gcpSecret(let secret) = reference else { return nil }
                return "gcloud secrets versions access latest --project \(ShellScript.quote(gcp.project)) --secret \(ShellScript.quote(secret))"
            }))
        return DeploymentPlan(target: context.name, kind: context.target.platform.kind.rawValue, files: [GeneratedFile("cloud-init.yaml", bootstrap.cloudConfig)],
                              apply: apply, destroy: destroy, tools: [.containerEngine, .gcloud])
    }
}

extension String {
    func trimmingSuffix(_ character: Character) -> String {
        var text = self
        while text.last == character { text.removeLast() }
        return text
    }
}

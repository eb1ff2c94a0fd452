import Spec

/// `type: container`: the image built here and run with podman or docker on this machine,
/// read-only, without capabilities, published on loopback unless the spec says otherwise.
enum ContainerTarget {
    static func plan(_ settings: DeployTarget.Container, _ context: PlanContext) -> DeploymentPlan {
        let port = context.target.port
        let container = context.resourceName
        let scheme = context.target.secrets.tlsCertificate == nil ? "http" : "https"
        // A server published on every address is probed on loopback.
        let hostForURL = settings.hostAddress == "0.0.0.0" ? "127.0.0.1" : settings.hostAddress.contains(":") ? "[\(settings.hostAddress)]" : settings.hostAddress
        var run = ["${ENGINE}", "run", "--detach", "--name", container, "--restart", "unless-stopped",
                   "--publish", "\(settings.hostAddress):\(port):\(port)",
                   "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
        for (key, value) in context.labels { run += ["--label", "\(key)=\(value)"] }
        run += secretArguments(context.target.secrets)
        run.append(context.image)
        let apply = context.imageBuildSteps + context.pushSteps + [
            CommandStep("look for a container from an earlier deploy", ["${ENGINE}", "ps", "--all", "--quiet", "--filter", "name=^\(container)$"], capture: "PREVIOUS_ID"),
            CommandStep("replace it", ["${ENGINE}", "rm", "--force", "${PREVIOUS_ID}"], when: "PREVIOUS_ID"),
            CommandStep("start the server on \(settings.hostAddress):\(port)", run, capture: "CONTAINER_ID", records: true),
            CommandStep("wait until it is ready", ["${RUNNER}", "probe", "--wait", "120", "\(scheme)://\(hostForURL):\(port)/v2/health/ready"]),
        ]
        let destroy = [
            CommandStep("find the container", ["${ENGINE}", "ps", "--all", "--quiet", "--filter", "name=^\(container)$"], capture: "CONTAINER_ID"),
            CommandStep("stop and remove it", ["${ENGINE}", "rm", "--force", "${CONTAINER_ID}"], when: "CONTAINER_ID"),
            CommandStep("find the image", ["${ENGINE}", "images", "--quiet", context.image], capture: "IMAGE_ID"),
            CommandStep("remove the image", ["${ENGINE}", "rmi", context.image], when: "IMAGE_ID"),
        ]
        var plan = DeploymentPlan(target: context.name, kind: context.target.platform.kind.rawValue, files: [], apply: apply, destroy: destroy,
                                  tools: [.containerEngine])
        plan.containerEngineChoice = settings.engine.rawValue
        return plan
    }

    /// Secrets as the container reads them: the bundle key passed by its variable's name
    /// (the value never appears in a command line), files mounted read-only from the paths
    /// their variables hold.
    static func secretArguments(_ secrets: DeploySecrets) -> [String] {
        var arguments: [String] = []
        for (name, reference) in secrets.all {
            guard case .environment(let variable) = reference else { continue }
            if name == "bundle_key" {
                arguments += ["--env", variable, "--env", "RUNNER_SERVE_KEY_ENV=\(variable)"]
            } else {
                let inside = "\(ContainerImage.secretsFolder)/\(name)"
                arguments += ["--volume", "${\(variable)}:\(inside):ro", "--env", "\(ServerSecrets.variable(name))=\(inside)"]
            }
        }
        return arguments
    }
}

/// How `runner serve` is told where each secret file is.
enum ServerSecrets {
    static func variable(_ secret: String) -> String {
        switch secret {
        case "bundle_key": return "RUNNER_SERVE_KEY_FILE"
        case "api_keys": return "RUNNER_SERVE_API_KEYS"
        case "tls_cert": return "RUNNER_SERVE_TLS_CERT"
        default: return "RUNNER_SERVE_TLS_KEY"
        }
    }
}

extension PlanContext {
    /// With a registry image named, the built image is tagged and pushed there.
    var pushSteps: [CommandStep] {
        guard let image = target.image else { return [] }
        return [
            CommandStep("tag it \(image)", ["${ENGINE}", "tag", subject.localImage, image]),
            CommandStep("push it to its registry", ["${ENGINE}", "push", image]),
        ]
    }
}

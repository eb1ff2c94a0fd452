import Yams

extension SpecDecoder {
    /// Keys every target takes, and each kind's own.
    static let commonDeployKeys = ["name", "type", "port", "image", "secrets", "model"]
    static func deployKeys(_ kind: DeployTarget.Kind) -> [String] {
        switch kind {
        case .container: return ["engine", "host_address"]
        case .kubernetes: return ["namespace", "replicas", "max_replicas", "cpu_request", "cpu_limit", "memory_request", "memory_limit"]
        case .awsEC2: return ["region", "instance_type", "ami", "artifacts", "subnet", "allow_cidr", "allow_public"]
        case .azureVM: return ["resource_group", "location", "size", "vm_image", "artifacts", "allow_cidr", "allow_public"]
        case .gcpCompute: return ["project", "zone", "machine_type", "artifacts", "allow_cidr", "allow_public"]
        }
    }

    static func requiredDeployKeys(_ kind: DeployTarget.Kind) -> [String] {
        switch kind {
        case .container, .kubernetes: return []
        case .awsEC2: return ["region", "artifacts", "allow_cidr"]
        case .azureVM: return ["resource_group", "location", "artifacts", "allow_cidr"]
        case .gcpCompute: return ["project", "zone", "artifacts", "allow_cidr"]
        }
    }

    mutating func decodeDeploy(_ node: Node) -> [DeployTarget] {
        guard let items = reader.list(node, "deploy") else { return [] }
        return uniquelyNamed(items.compactMap { decodeTarget($0) }, name: \.name, what: "deploy target")
    }

    private mutating func decodeTarget(_ node: Node) -> DeployTarget? {
        // The type decides which keys are allowed, so read it first.
        guard case .mapping(let mapping) = node else {
            reader.error(node.location, "each deploy target must be a mapping with name and type, found \(node.kindName)")
            return nil
        }
        let typeNode = mapping.first { $0.key.scalar?.string == "type" }?.value
        guard let typeNode else {
            reader.error(node.location, "deploy target is missing the required key 'type' (one of \(listing(DeployTarget.Kind.allCases.map(\.rawValue))))")
            return nil
        }
        guard let kind = reader.choice(typeNode, "deploy target type", as: DeployTarget.Kind.self) else { return nil }
        let context = "deploy target of type \(kind.rawValue)"
        guard let entries = reader.mapping(node, in: context, allowed: Self.commonDeployKeys + Self.deployKeys(kind), required: ["name"] + Self.requiredDeployKeys(kind)) else {
            return nil
        }
        guard let nameEntry = entries["name"], let name = reader.text(nameEntry.value, "deploy target name") else { return nil }
        guard Self.isResourceName(name) else {
            reader.error(nameEntry.value.location, "deploy target name '\(name)' must be lower-case letters, digits and '-', starting with a letter, at most 40 characters (it names cloud resources)")
            return nil
        }
        var failed = false
        func text(_ key: String) -> (String, SourceLocation?)? {
            guard let entry = entries[key] else { return nil }
            guard let value = reader.text(entry.value, "deploy.\(key)") else { failed = true; return nil }
            if value.isEmpty || value.contains(where: { $0.isNewline || $0 == "\0" }) {
                reader.error(entry.value.location, "deploy.\(key) must be one line of text, found '\(value)'")
                failed = true
                return nil
            }
            return (value, entry.value.location)
        }
        func int(_ key: String, atLeast minimum: Int, atMost maximum: Int) -> Int? {
            guard let entry = entries[key] else { return nil }
            guard let value = reader.int(entry.value, "deploy.\(key)", atLeast: minimum) else { failed = true; return nil }
            guard value <= maximum else {
                reader.error(entry.value.location, "deploy.\(key) must be at most \(maximum), found \(value)")
                failed = true
                return nil
            }
            return value
        }
        func exposure() -> DeployTarget.Exposure {
            guard let (cidr, location) = text("allow_cidr") else { return .init(allowCIDR: "") }
            guard CIDR.isValid(cidr) else {
                reader.error(location, "deploy.allow_cidr must be an IPv4 or IPv6 CIDR block such as 203.0.113.0/24, found '\(cidr)'")
                failed = true
                return .init(allowCIDR: cidr)
            }
            let allowPublic = entries["allow_public"].flatMap { reader.bool($0.value, "deploy.allow_public") } ?? false
            if CIDR.isEverywhere(cidr), !allowPublic {
                reader.error(location, "deploy.allow_cidr \(cidr) opens the port to the whole internet; name the addresses that need it, or write allow_public: true beside it if that is what you mean")
                failed = true
            }
            return .init(allowCIDR: cidr)
        }
        func storage(_ scheme: String, _ example: String) -> String {
            guard let (url, location) = text("artifacts") else { return "" }
            guard url.hasPrefix(scheme), url.count > scheme.count, !url.contains(" ") else {
                reader.error(location, "deploy.artifacts must be a \(scheme) location such as \(example), found '\(url)'")
                failed = true
                return url
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        let platform: DeployTarget.Platform
        switch kind {
        case .container:
            var container = DeployTarget.Container()
            if let entry = entries["engine"], let engine = reader.choice(entry.value, "container engine", as: DeployTarget.ContainerEngine.self) { container.engine = engine }
            if let (address, location) = text("host_address") {
                if IPAddress.isValid(address) { container.hostAddress = address } else {
                    reader.error(location, "deploy.host_address must be an IP address such as 127.0.0.1, found '\(address)'")
                    failed = true
                }
            }
            platform = .container(container)
        case .kubernetes:
            var settings = DeployTarget.Kubernetes()
            if let (namespace, location) = text("namespace") {
                if Self.isResourceName(namespace, maximum: 63) { settings.namespace = namespace } else {
                    reader.error(location, "deploy.namespace must be a Kubernetes name (lower-case letters, digits and '-'), found '\(namespace)'")
                    failed = true
                }
            }
            if let replicas = int("replicas", atLeast: 1, atMost: 1000) { settings.replicas = replicas }
            settings.maxReplicas = max(settings.replicas, settings.maxReplicas)
            if let maximum = int("max_replicas", atLeast: 1, atMost: 1000) {
                if maximum < settings.replicas, let entry = entries["max_replicas"] {
                    reader.error(entry.value.location, "deploy.max_replicas (\(maximum)) is below replicas (\(settings.replicas))")
                    failed = true
                }
                settings.maxReplicas = maximum
            }
            let quantities: [(key: String, path: WritableKeyPath<DeployTarget.Kubernetes, String>, units: [String], what: String)] = [
                ("cpu_request", \.cpuRequest, ["m"], "a CPU quantity such as 250m or 1"),
                ("cpu_limit", \.cpuLimit, ["m"], "a CPU quantity such as 250m or 1"),
                ("memory_request", \.memoryRequest, ["Ki", "Mi", "Gi", "K", "M", "G"], "a memory quantity such as 256Mi or 1Gi"),
                ("memory_limit", \.memoryLimit, ["Ki", "Mi", "Gi", "K", "M", "G"], "a memory quantity such as 256Mi or 1Gi"),
            ]
            for quantity in quantities {
                guard let (value, location) = text(quantity.key) else { continue }
                if Self.isQuantity(value, units: quantity.units) { settings[keyPath: quantity.path] = value } else {
                    reader.error(location, "deploy.\(quantity.key) must be \(quantity.what), found '\(value)'")
                    failed = true
                }
            }
            platform = .kubernetes(settings)
        case .awsEC2:
            var aws = DeployTarget.AWS(region: text("region")?.0 ?? "", artifacts: storage("s3://", "s3://my-bucket/runner"), exposure: exposure())
            if let (value, _) = text("instance_type") { aws.instanceType = value }
            if let (value, _) = text("ami") { aws.ami = value }
            if let (value, _) = text("subnet") { aws.subnet = value }
            platform = .awsEC2(aws)
        case .azureVM:
            var azure = DeployTarget.Azure(resourceGroup: text("resource_group")?.0 ?? "", location: text("location")?.0 ?? "",
                                           artifacts: storage("https://", "https://myaccount.blob.core.windows.net/runner"), exposure: exposure())
            if let (value, _) = text("size") { azure.size = value }
            if let (value, _) = text("vm_image") { azure.image = value }
            platform = .azureVM(azure)
        case .gcpCompute:
            var gcp = DeployTarget.GCP(project: text("project")?.0 ?? "", zone: text("zone")?.0 ?? "",
                                       artifacts: storage("gs://", "gs://my-bucket/runner"), exposure: exposure())
            if let (value, _) = text("machine_type") { gcp.machineType = value }
            platform = .gcpCompute(gcp)
        }
        var target = DeployTarget(name: Located(name, at: nameEntry.value.location), platform: platform)
        if let port = int("port", atLeast: 1, atMost: 65535) { target.port = port }
        if let (image, location) = text("image") {
            if Self.isImageReference(image) { target.image = image } else {
                reader.error(location, "deploy.image must be a registry reference such as registry.example.com/team/model:1, found '\(image)'")
                failed = true
            }
        }
        if let entry = entries["secrets"] {
            if let secrets = decodeSecrets(entry.value, kind: kind) { target.secrets = secrets } else { failed = true }
        }
        if let (model, location) = text("model") {
            if RegistryReference(model) != nil { target.model = Located(model, at: location) } else {
                reader.error(location, "deploy.model must name a registered model: NAME@production, NAME@staging or NAME@VERSION, found '\(model)'")
                failed = true
            }
        }
        return failed ? nil : target
    }

    private mutating func decodeSecrets(_ node: Node, kind: DeployTarget.Kind) -> DeploySecrets? {
        guard let entries = reader.mapping(node, in: "'deploy.secrets'", allowed: ["bundle_key", "api_keys", "tls_cert", "tls_key"]) else { return nil }
        var secrets = DeploySecrets()
        var failed = false
        for (key, path) in [("bundle_key", \DeploySecrets.bundleKey), ("api_keys", \.apiKeys), ("tls_cert", \.tlsCertificate), ("tls_key", \.tlsKey)] {
            guard let entry = entries[key] else { continue }
            if let reference = decodeSecretReference(entry.value, key: key, kind: kind) { secrets[keyPath: path] = reference } else { failed = true }
        }
        if (secrets.tlsCertificate == nil) != (secrets.tlsKey == nil) {
            reader.error(node.location, "deploy.secrets needs both tls_cert and tls_key, or neither")
            failed = true
        }
        return failed ? nil : secrets
    }

    private mutating func decodeSecretReference(_ node: Node, key: String, kind: DeployTarget.Kind) -> SecretReference? {
        let allowed = SecretReference.forms(for: kind)
        guard case .mapping = node else {
            reader.error(node.location, "deploy.secrets.\(key) must name where the secret lives ({\(allowed[0]): ...}), not hold it: a value written here would be copied into the lock, the generated files and the logs")
            return nil
        }
        guard let entries = reader.mapping(node, in: "'deploy.secrets.\(key)'", allowed: SecretReference.forms), entries.count == 1, let (form, entry) = entries.first else {
            reader.error(node.location, "deploy.secrets.\(key) takes exactly one of \(listing(allowed))")
            return nil
        }
        guard allowed.contains(form) else {
            reader.error(entry.keyLocation, "a \(kind.rawValue) target cannot read a secret from \(form); use \(listing(allowed))")
            return nil
        }
        guard let value = reader.text(entry.value, "deploy.secrets.\(key).\(form)") else { return nil }
        let safe = !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./:".contains($0)) }
        guard safe else {
            reader.error(entry.value.location, "deploy.secrets.\(key).\(form) must be a name (letters, digits, '_', '-', '.', '/', ':'), found '\(value)'")
            return nil
        }
        switch form {
        case "env":
            guard value.first.map({ !$0.isNumber }) == true, value.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
                reader.error(entry.value.location, "deploy.secrets.\(key).env must name an environment variable (letters, digits, underscores), found '\(value)'")
                return nil
            }
            return .environment(value)
        case "aws_ssm": return .awsSSMParameter(value)
        case "aws_secrets_manager": return .awsSecretsManager(value)
        case "gcp_secret": return .gcpSecret(value)
        case "azure_key_vault", "kubernetes_secret":
            let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                let shape = form == "azure_key_vault" ? "VAULT/SECRET" : "SECRET/KEY"
                reader.error(entry.value.location, "deploy.secrets.\(key).\(form) must be written \(shape), found '\(value)'")
                return nil
            }
            return form == "azure_key_vault" ? .azureKeyVault(vault: parts[0], secret: parts[1]) : .kubernetesSecret(name: parts[0], key: parts[1])
        default:
            return nil
        }
    }

    /// A name that is valid for every platform's resources (DNS label, shortened).
    static func isResourceName(_ name: String, maximum: Int = 40) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase, name.count <= maximum, name.last != "-" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    static func isQuantity(_ text: String, units: [String]) -> Bool {
        let unit = units.first { text.hasSuffix($0) } ?? ""
        let number = text.dropLast(unit.count)
        return !number.isEmpty && number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && number.filter { $0 == "." }.count <= 1
    }

    static func isImageReference(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 255 && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-/:@".contains($0)) }
            && !text.hasPrefix("-") && !text.hasPrefix("/")
    }
}

/// Address checks for `allow_cidr` and `host_address`.
enum IPAddress {
    static func isValid(_ text: String) -> Bool { isIPv4(text) || isIPv6(text) }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), !text.contains(":::"), text.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let groups = text.components(separatedBy: "::")
        guard groups.count <= 2 else { return false }
        let words = groups.flatMap { $0.split(separator: ":", omittingEmptySubsequences: false) }.filter { !$0.isEmpty }
        guard words.allSatisfy({ $0.count <= 4 }) else { return false }
        return groups.count == 2 ? words.count < 8 : words.count == 8 && !text.contains(":::")
    }
}

enum CIDR {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let bits = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else { return false }
        if IPAddress.isIPv4(parts[0]) { return (0...32).contains(bits) }
        if IPAddress.isIPv6(parts[0]) { return (0...128).contains(bits) }
        return false
    }

    /// A block that takes in every address (0.0.0.0/0, ::/0).
    static func isEverywhere(_ text: String) -> Bool { text.hasSuffix("/0") }
}

/// One entry of the spec's `deploy:` list: where the packaged model is stood up and how.
/// Secrets are references (a variable's name, a secret store's path), never values.
public struct DeployTarget: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case container
        case kubernetes
        case awsEC2 = "aws_ec2"
        case azureVM = "azure_vm"
        case gcpCompute = "gcp_compute"
    }

    /// Which container engine builds and runs the image.
    public enum ContainerEngine: String, Sendable, CaseIterable, Codable {
        /// Podman when it is installed (no daemon needed), else Docker.
        case auto, podman, docker
    }

    public struct Container: Sendable, Equatable, Codable {
        public var engine: ContainerEngine = .auto
        /// The host address the port is published on (loopback unless written).
        public var hostAddress: String = "127.0.0.1"
    }

    public struct Kubernetes: Sendable, Equatable, Codable {
        public var namespace: String = "default"
        public var replicas: Int = 2
        /// The autoscaler's ceiling (at least `replicas`).
        public var maxReplicas: Int = 5
        public var cpuRequest: String = "250m"
        public var cpuLimit: String = "1"
        public var memoryRequest: String = "128Mi"
        public var memoryLimit: String = "512Mi"
    }

    /// Who may reach a cloud VM's port.
    public struct Exposure: Sendable, Equatable, Codable {
        /// An IPv4 or IPv6 CIDR block.
        public var allowCIDR: String
    }

    public struct AWS: Sendable, Equatable, Codable {
        public var region: String
        public var instanceType: String = "t3.small"
        /// An AMI id, or an SSM parameter path resolved at launch (Amazon Linux 2023 by default).
        public var ami: String = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        /// `s3://bucket/prefix` where the image archive is uploaded for the instance to fetch.
        public var artifacts: String
        public var subnet: String?
        public var exposure: Exposure
    }

    public struct Azure: Sendable, Equatable, Codable {
        public var resourceGroup: String
        public var location: String
        public var size: String = "Standard_B2s"
        public var image: String = "Ubuntu2204"
        /// A storage account container URL holding the image archive (`https://ACCOUNT.blob.core.windows.net/CONTAINER`).
        public var artifacts: String
        public var exposure: Exposure
    }

    public struct GCP: Sendable, Equatable, Codable {
        public var project: String
        public var zone: String
        public var machineType: String = "e2-small"
        /// `gs://bucket/prefix` holding the image archive.
        public var artifacts: String
        public var exposure: Exposure
    }

    public enum Platform: Sendable, Equatable, Codable {
        case container(Container)
        case kubernetes(Kubernetes)
        case awsEC2(AWS)
        case azureVM(Azure)
        case gcpCompute(GCP)

        public var kind: Kind {
            switch self {
            case .container: return .container
            case .kubernetes: return .kubernetes
            case .awsEC2: return .awsEC2
            case .azureVM: return .azureVM
            case .gcpCompute: return .gcpCompute
            }
        }
    }

    public var name: Located<String>
    public var platform: Platform
    /// The port the server listens on inside the image, and the one exposed.
    public var port: Int = 8080
    /// A registry reference (`registry/repository:tag`) to push to and run from; nil: the
    /// image stays local (`runner-EXPERIMENT:DIGEST`) and cloud targets fetch its archive.
    public var image: String?
    public var secrets = DeploySecrets()
    /// `model: NAME@production` (or `@staging`, `@VERSION`): deploy that version from the model
    /// registry instead of the bundle this run packages.
    public var model: Located<String>?

    public init(name: Located<String>, platform: Platform) {
        self.name = name
        self.platform = platform
    }
}

/// Where each secret a deployment needs comes from. Only references: a value written in
/// the spec would land in the lock, every generated file and the logs.
public struct DeploySecrets: Sendable, Equatable, Codable {
    /// The key of an encrypted bundle.
    public var bundleKey: SecretReference?
    /// The server's API keys file (digests; `runner keygen --api-key`).
    public var apiKeys: SecretReference?
    /// TLS certificate chain and private key (PEM) for the server's port.
    public var tlsCertificate: SecretReference?
    public var tlsKey: SecretReference?

    public init() {}

    /// Each secret with its spec name, in a fixed order.
    public var all: [(name: String, reference: SecretReference)] {
        [("bundle_key", bundleKey), ("api_keys", apiKeys), ("tls_cert", tlsCertificate), ("tls_key", tlsKey)]
            .compactMap { entry in entry.1.map { (entry.0, $0) } }
    }
}

/// A secret named by where it lives.
public enum SecretReference: Sendable, Equatable, Codable {
    /// An environment variable of the shell that deploys (containers) by name.
    case environment(String)
    case awsSSMParameter(String)
    case awsSecretsManager(String)
    /// `vault` and `secret` names in Azure Key Vault.
    case azureKeyVault(vault: String, secret: String)
    /// A Secret Manager secret's name (latest version).
    case gcpSecret(String)
    /// A key of a Kubernetes Secret in the target's namespace.
    case kubernetesSecret(name: String, key: String)

    /// The spec's word for each form, as written under `secrets:`.
    public static let forms = ["env", "aws_ssm", "aws_secrets_manager", "azure_key_vault", "gcp_secret", "kubernetes_secret"]

    public var form: String {
        switch self {
        case .environment: return "env"
        case .awsSSMParameter: return "aws_ssm"
        case .awsSecretsManager: return "aws_secrets_manager"
        case .azureKeyVault: return "azure_key_vault"
        case .gcpSecret: return "gcp_secret"
        case .kubernetesSecret: return "kubernetes_secret"
        }
    }

    /// The forms a target of `kind` can read at its destination.
    public static func forms(for kind: DeployTarget.Kind) -> [String] {
        switch kind {
        case .container: return ["env"]
        case .kubernetes: return ["kubernetes_secret"]
        case .awsEC2: return ["aws_ssm", "aws_secrets_manager"]
        case .azureVM: return ["azure_key_vault"]
        case .gcpCompute: return ["gcp_secret"]
        }
    }
}

/// A variable the pipeline's jobs read from the CI system's settings: a masked secret, a
/// secret file (the variable holds the file's path), or a plain setting. Values never
/// appear in a generated file; only names do.
public struct CIVariable: Sendable, Hashable, Comparable {
    public enum Kind: String, Sendable {
        case secret, file, setting
    }

    public var name: String
    public var kind: Kind
    /// What it holds, for the pipeline's header.
    public var purpose: String

    public init(_ name: String, _ kind: Kind, _ purpose: String) {
        self.name = name
        self.kind = kind
        self.purpose = purpose
    }

    public static func < (left: CIVariable, right: CIVariable) -> Bool { left.name < right.name }

    /// Credentials for an S3 remote or an AWS target (the standard AWS variables).
    static let awsCredentials = [
        CIVariable("AWS_ACCESS_KEY_ID", .secret, "AWS access key id (S3 remote store, AWS targets)"),
        CIVariable("AWS_SECRET_ACCESS_KEY", .secret, "AWS secret access key"),
    ]

    static let azureCredentials = [
        CIVariable("AZURE_CLIENT_ID", .setting, "Azure service principal's application id"),
        CIVariable("AZURE_TENANT_ID", .setting, "Azure tenant id"),
        CIVariable("AZURE_CLIENT_SECRET", .secret, "Azure service principal's secret"),
    ]

    static let gcpCredentials = [CIVariable("GOOGLE_APPLICATION_CREDENTIALS", .file, "Google Cloud service account key (JSON)")]
    static let kubeconfig = [CIVariable("KUBECONFIG", .file, "kubeconfig of the cluster kubernetes targets deploy to")]
    static let registryLogin = [
        CIVariable("REGISTRY_USER", .setting, "user for the container registry the image is pushed to"),
        CIVariable("REGISTRY_PASSWORD", .secret, "password or token for that registry"),
    ]
    static let modelRegistry = CIVariable("RUNNER_REGISTRY", .secret, "the model registry's PostgreSQL URL (deploy targets name registered models)")
    static let remote = CIVariable("RUNNER_REMOTE", .setting, "the remote store the jobs share (s3://BUCKET/PREFIX)")
}

extension Array where Element == CIVariable {
    /// One entry per name, sorted (the first description of a name wins).
    func uniqued() -> [CIVariable] {
        var seen = Set<String>()
        return filter { seen.insert($0.name).inserted }.sorted()
    }
}

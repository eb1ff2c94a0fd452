import Foundation

/// Credentials, region and endpoint as the AWS tools find them: the standard environment
/// variables first (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION /
/// AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL), then the profile
/// (AWS_PROFILE, default `default`) in the shared credentials and config files
/// (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, default ~/.aws/). Never from a spec.
public struct AWSConfiguration: Sendable, Equatable {
    public var credentials: SigV4Signer.Credentials?
    public var region: String
    /// A custom endpoint (MinIO, Ceph, GCS's S3 interoperability, a local stand-in): requests
    /// then address buckets by path.
    public var endpoint: URL?

    public static func resolve(_ environment: [String: String]) -> AWSConfiguration {
        let profile = environment["AWS_PROFILE"] ?? "default"
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsFile = iniSections(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials")[profile] ?? [:]
        let configSections = iniSections(environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config")
        let config = configSections[profile == "default" ? "default" : "profile \(profile)"] ?? configSections[profile] ?? [:]

        var credentials: SigV4Signer.Credentials?
        if let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty, !secret.isEmpty {
            credentials = .init(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        } else if let key = credentialsFile["aws_access_key_id"] ?? config["aws_access_key_id"],
                  let secret = credentialsFile["aws_secret_access_key"] ?? config["aws_secret_access_key"] {
            credentials = .init(accessKeyID: key, secretAccessKey: secret, sessionToken: credentialsFile["aws_session_token"] ?? config["aws_session_token"])
        }
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? config["region"] ?? "us-east-1"
        let endpoint = (environment["AWS_ENDPOINT_URL_S3"] ?? environment["AWS_ENDPOINT_URL"] ?? config["endpoint_url"])
            .flatMap { $0.isEmpty ? nil : URL(string: $0) }
        return AWSConfiguration(credentials: credentials, region: region, endpoint: endpoint)
    }

    /// `[section]` → key → value of an INI file; empty when there is no file.
    static func iniSections(_ path: String) -> [String: [String: String]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var sections: [String: [String: String]] = [:]
        var current = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            sections[current, default: [:]][line[..<equals].trimmingCharacters(in: .whitespaces)] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return sections
    }
}

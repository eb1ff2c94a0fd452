/// A model in the registry: `NAME` (the latest version), `NAME@VERSION`, `NAME@staging` or
/// `NAME@production`. Names are letters, digits, '_', '-' and '.', not starting with '.'.
public struct RegistryReference: Sendable, Equatable, CustomStringConvertible {
    public static let stages = ["staging", "production"]
    public var name: String
    public var version: Int?
    public var stage: String?

    public var description: String { name + (version.map { "@\($0)" } ?? stage.map { "@\($0)" } ?? "") }

    /// nil when `text` is not such a reference.
    public init?(_ text: String) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }), !name.hasPrefix(".") else {
            return nil
        }
        self.name = name
        guard parts.count == 2 else { return }
        if let version = Int(parts[1]), version > 0 {
            self.version = version
        } else if Self.stages.contains(parts[1]) {
            stage = parts[1]
        } else {
            return nil
        }
    }
}

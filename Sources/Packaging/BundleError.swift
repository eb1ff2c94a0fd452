/// Why a bundle could not be written, read, verified or used; every case is a full message.
public struct BundleError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// The one message for every decryption failure: a wrong key and a damaged file are
    /// indistinguishable by design (GCM authenticates both).
    public static let cannotDecrypt = BundleError("cannot decrypt bundle: wrong key or damaged file")
}

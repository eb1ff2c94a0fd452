import Crypto
import Foundation
import Learn
import Tabular
import ZIPFoundation

/// A packaged model: the manifest, the fitted pipeline and the training data's profile, all
/// plain JSON, in a zip archive (`manifest.json`, `model.json`, `profile.json`, and
/// `signature.json` when signed), optionally
/// encrypted as a whole with AES-256-GCM. Loading decodes data only; nothing in a bundle is
/// ever executed. The layout is documented in docs/bundle-format.md.
public struct ModelBundle: Sendable, Equatable {
    public var manifest: BundleManifest
    public var pipeline: FittedPipeline
    /// The training data's profile for drift checks; nil in format 1 bundles.
    public var profile: ReferenceProfile?

    public init(manifest: BundleManifest, pipeline: FittedPipeline, profile: ReferenceProfile? = nil) {
        self.manifest = manifest
        self.pipeline = pipeline
        self.profile = profile
    }

    /// Magic of an encrypted bundle; a plain bundle is a zip file ("PK\u{3}\u{4}").
    static let encryptedMagic = Array("RUNNER-BUNDLE-AES256GCM\n".utf8)
    static let encryptedVersion: UInt8 = 1

    // MARK: writing

    public func encoded(signingKey: Curve25519.Signing.PrivateKey? = nil, encryptionKey: SymmetricKey? = nil) throws(BundleError) -> Data {
        let arrays = BinaryArrayWriter()
        let modelJSON = Self.json(pipeline, arrays: arrays)
        let arrayEntries = arrays.entries
        var manifest = manifest
        // Only a bundle with binary arrays needs format 3; others keep the format earlier
        // runners read (and the bytes they wrote).
        if !arrayEntries.isEmpty { manifest.format = max(manifest.format, BundleManifest.binaryArraysFormat) }
        if case .boosting(let model) = pipeline.model, model.splitsOnCategorySets {
            manifest.format = max(manifest.format, BundleManifest.categorySplitsFormat)
        }
        let manifestJSON = Self.json(manifest)
        let profileJSON = profile.map { Self.json($0) }
        var entries: [(String, Data)] = [("manifest.json", manifestJSON), ("model.json", modelJSON)]
        if let profileJSON { entries.append(("profile.json", profileJSON)) }
        entries += arrayEntries.map { ($0.name, $0.bytes) }
        // SHA-256 of every entry: checked on reading instead of zip's CRC-32 (stronger, and
        // far faster than ZIPFoundation's CRC on a large model).
        var digests: [String: String] = [:]
        for (name, data) in entries { digests[name] = Hashing.sha256(data) }
        if let signingKey {
            let message = Self.signedMessage(manifest: manifestJSON, model: modelJSON, profile: profileJSON, arrayDigests: digests)
            guard let signature = try? signingKey.signature(for: message) else { throw BundleError.key("cannot sign the bundle") }
            entries.append(("signature.json", Self.json(BundleSignature(
                algorithm: "ed25519", publicKey: BundleKeys.pem(signingKey.publicKey), signature: signature.base64EncodedString()))))
            digests["signature.json"] = Hashing.sha256(entries[entries.count - 1].1)
        }
        entries.append(("digests.json", Self.json(digests)))
        let zip = try BundleArchive.zip(entries)
        guard let encryptionKey else { return zip }
        // The nonce is derived from the key and the content (as in SIV modes): the same model
        // and key give the same bytes, so a packaged bundle is reproducible and cacheable,
        // and a nonce repeats only for identical plaintexts, which reveals only that they are equal.
        let tag = HMAC<SHA256>.authenticationCode(for: Data("runner-bundle-nonce 1\n".utf8) + zip, using: encryptionKey)
        guard let nonce = try? AES.GCM.Nonce(data: Data(tag).prefix(12)),
              let sealed = try? AES.GCM.seal(zip, using: encryptionKey, nonce: nonce).combined else { throw BundleError.internalError("cannot encrypt the bundle") }
        return Data(Self.encryptedMagic + [Self.encryptedVersion]) + sealed
    }

    // MARK: reading

    /// Whether `data` is an encrypted bundle (it needs a key to read).
    public static func isEncrypted(_ data: Data) -> Bool {
        data.starts(with: encryptedMagic)
    }

    /// Reads the bundle file at `path`: a regular file only (a device or a pipe could be
    /// endless), then `decode`.
    public static func read(path: String, key: SymmetricKey? = nil) throws(BundleError) -> (bundle: ModelBundle, signature: BundleSignature?) {
        try decode(try readFile(path: path), key: key)
    }

    /// The bytes of the bundle file at `path`, a regular file only (a device or a pipe could be
    /// endless); for callers that also need the bytes themselves (a server names what it
    /// serves by their digest).
    public static func readFile(path: String) throws(BundleError) -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io("cannot read \(path): \(String(cString: strerror(errno)).lowercased())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .invalid("\(path) is not a regular file, so not a bundle") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .io("cannot read \(path)") }
        return data
    }

    /// Reads a bundle; a signature, when present, is checked against the content it covers
    /// (`verify` also checks who signed it).
    public static func decode(_ data: Data, key: SymmetricKey? = nil, threads: Int = ParallelWork.defaultThreadCount) throws(BundleError) -> (bundle: ModelBundle, signature: BundleSignature?) {
        let (entries, digests, arrays) = try checkedEntries(try rawEntries(data, key: key), threads: threads)
        guard let manifestJSON = entries["manifest.json"], let modelJSON = entries["model.json"] else {
            throw BundleError.invalid("not a runner bundle: manifest.json or model.json is missing")
        }
        struct FormatOnly: Decodable { var format: Int }
        guard let format = try? decoder.decode(FormatOnly.self, from: manifestJSON).format else {
            throw BundleError.invalid("not a runner bundle: manifest.json has no format version")
        }
        guard format <= BundleManifest.newestReadableFormat else {
            throw BundleError.invalid("the bundle has format \(format), newer than this runner reads (\(BundleManifest.newestReadableFormat)); upgrade runner")
        }
        let manifest: BundleManifest, pipeline: FittedPipeline
        let profileJSON = entries["profile.json"]
        var profile: ReferenceProfile?
        do {
            manifest = try decoder.decode(BundleManifest.self, from: manifestJSON)
            let modelDecoder = JSONFormat.decoder()
            modelDecoder.userInfo[BinaryArrays.userInfoKey] = arrays
            pipeline = try modelDecoder.decode(FittedPipeline.self, from: modelJSON)
            if let profileJSON { profile = try decoder.decode(ReferenceProfile.self, from: profileJSON) }
        } catch {
            throw BundleError.invalid("invalid bundle: \(JSONFormat.describe(error))")
        }
        // A bundle is data from elsewhere: nothing may index with it before it is checked.
        if let problem = pipeline.structuralProblem(threads: threads) ?? manifest.inputSchema.structuralProblem(inputs: pipeline.inputColumns) {
            throw BundleError.invalid("invalid bundle: \(problem)")
        }
        if manifest.classes != pipeline.classes { throw BundleError.invalid("invalid bundle: the manifest and the model list different classes") }
        if let problem = profile?.structuralProblem(schema: manifest.inputSchema) { throw BundleError.invalid("invalid bundle: \(problem)") }
        var signature: BundleSignature?
        if let signatureJSON = entries["signature.json"] {
            guard let decoded = try? decoder.decode(BundleSignature.self, from: signatureJSON) else { throw BundleError.badSignature("the bundle's signature.json is damaged") }
            guard decoded.isValid(manifest: manifestJSON, model: modelJSON, profile: profileJSON, arrayDigests: digests) else {
                throw BundleError.badSignature("the bundle's signature does not match its content: it was modified after signing")
            }
            signature = decoded
        }
        return (ModelBundle(manifest: manifest, pipeline: pipeline, profile: profile), signature)
    }

    /// The largest entry a bundle may hold once inflated (a forest of BENCHMARKS.md is ~50 MiB).
    static let maximumEntryBytes = 1 << 30

    /// A zip library failure in our words.
    static func describe(zipError error: any Error) -> String {
        if let error = error as? Archive.ArchiveError {
            switch error {
            case .missingEndOfCentralDirectoryRecord, .invalidCentralDirectoryOffset, .invalidCentralDirectorySize, .invalidCentralDirectoryEntryCount:
                return "the zip directory is missing or wrong (a truncated or partly copied file?)"
            case .invalidLocalHeaderDataOffset, .invalidLocalHeaderSize, .invalidEntrySize, .invalidBufferSize:
                return "an entry's header is damaged"
            case .invalidCompressionMethod: return "an entry uses a compression method bundles never use"
            case .invalidEntryPath, .uncontainedSymlink: return "an entry has an invalid path"
            case .invalidCRC32: return "an entry fails its checksum"
            default: return "the zip archive cannot be read"
            }
        }
        if String(describing: type(of: error)) == "CompressionError" { return "an entry's compressed data is corrupt" }
        return "the zip archive cannot be read"
    }

    /// The archive's entries as bytes (binary arrays included), each checked against `digests.json`.
    static func archiveEntries(_ data: Data, key: SymmetricKey?) throws(BundleError) -> [String: Data] {
        var entries = try rawEntries(data, key: key)
        _ = try checkedEntries(entries, threads: 1)
        entries["digests.json"] = nil
        return entries
    }

    /// The archive's entries, each checked against `digests.json` (the listed digests are
    /// returned too), with the binary arrays already typed. Large bundles are mostly arrays:
    /// they are hashed and copied on `threads` threads, each entry once.
    static func checkedEntries(_ entries: [String: Data], threads: Int) throws(BundleError)
        -> (documents: [String: Data], digests: [String: String], arrays: BinaryArrays) {
        var entries = entries
        guard let digestsJSON = entries.removeValue(forKey: "digests.json"),
              let digests = try? decoder.decode([String: String].self, from: digestsJSON) else {
            throw BundleError.invalid("not a runner bundle: digests.json is missing or damaged")
        }
        let named = entries.sorted { $0.key < $1.key }
        for (name, _) in named where digests[name] == nil { throw BundleError.invalid("the bundle holds an unlisted entry '\(name)'") }
        for (name, _) in named where name.hasPrefix("arrays/") && BinaryArrays.element(ofEntry: name) == nil {
            throw BundleError.invalid("the bundle holds an entry '\(name)' of no known array type")
        }
        enum Checked: Sendable { case document, array(any Sendable), damaged, wrongSize }
        let results = ParallelWork.map(count: named.count, threads: threads) { index -> Checked in
            let (name, content) = named[index]
            guard Hashing.sha256(content) == digests[name] else { return .damaged }
            guard let element = BinaryArrays.element(ofEntry: name) else { return .document }
            return content.withUnsafeBytes { BinaryArrays.array($0, element: element) }.map(Checked.array) ?? .wrongSize
        }
        var documents: [String: Data] = [:], arrays = BinaryArrays()
        for ((name, content), result) in zip(named, results) {
            switch result {
            case .document: documents[name] = content
            case .array(let array): arrays.insert(array, named: name)
            case .damaged: throw BundleError.invalid("the bundle's content is damaged: \(name) does not match its digest")
            case .wrongSize: throw BundleError.invalid("the bundle's entry \(name) is not a whole number of values")
            }
        }
        return (documents, digests, arrays)
    }

    static func rawEntries(_ data: Data, key: SymmetricKey?) throws(BundleError) -> [String: Data] {
        var zip = data
        if isEncrypted(data) {
            guard let key else { throw BundleError.keyRequired }
            let body = data.dropFirst(encryptedMagic.count)
            guard body.first == encryptedVersion, let box = try? AES.GCM.SealedBox(combined: body.dropFirst()),
                  let plain = try? AES.GCM.open(box, using: key) else { throw BundleError.cannotDecrypt }
            zip = plain
        }
        return try BundleArchive.entries(zip)
    }

    // MARK: helpers

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()

    static func json<T: Encodable>(_ value: T) -> Data {
        JSONFormat.encode(value, pretty: true)
    }

    /// `value` as JSON, its large packed arrays written to `arrays` instead.
    static func json<T: Encodable>(_ value: T, arrays: BinaryArrayWriter) -> Data {
        let encoder = JSONFormat.encoder(pretty: true)
        encoder.userInfo[BinaryArrayWriter.userInfoKey] = arrays
        // Plain data: encoding cannot fail (non-finite numbers are strings).
        return try! encoder.encode(value)
    }

    /// What a signature covers: the digests of the manifest, the model, (format 2) the
    /// profile and (format 3) every binary array, by name. A profile cannot be removed from a
    /// signed bundle unnoticed: the signed text names it, so the message without it differs.
    /// Array digests come from `digests.json`, already checked against the content.
    static func signedMessage(manifest: Data, model: Data, profile: Data?, arrayDigests digests: [String: String]) -> Data {
        var text = "runner-bundle-signature 1\nmanifest.json \(Hashing.sha256(manifest))\nmodel.json \(Hashing.sha256(model))\n"
        if let profile { text += "profile.json \(Hashing.sha256(profile))\n" }
        for name in digests.keys.sorted() where BinaryArrays.element(ofEntry: name) != nil { text += "\(name) \(digests[name]!)\n" }
        return Data(text.utf8)
    }
}

/// `signature.json`: an Ed25519 signature over the digests of manifest.json and model.json.
public struct BundleSignature: Codable, Sendable, Equatable {
    public var algorithm: String
    /// The signer's public key (PEM), for reports; `verify` compares it with the trusted key.
    public var publicKey: String
    public var signature: String

    func isValid(manifest: Data, model: Data, profile: Data?, arrayDigests: [String: String]) -> Bool {
        guard algorithm == "ed25519", let key = try? BundleKeys.publicKey(pem: publicKey, source: "signature.json"),
              let bytes = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(bytes, for: ModelBundle.signedMessage(manifest: manifest, model: model, profile: profile, arrayDigests: arrayDigests))
    }

    /// Whether the bundle was signed by `trusted`.
    /// Refuses a bundle that is not signed by the trusted key: unsigned, or signed by another
    /// key. (`decode` has already refused a signature that does not match the content.)
    public static func requireSigned(_ signature: BundleSignature?, by trusted: Curve25519.Signing.PublicKey, bundle: String, keyName: String) throws(BundleError) {
        guard let signature else { throw BundleError.badSignature("\(bundle) is not signed") }
        guard signature.isSigned(by: trusted) else { throw BundleError.badSignature("\(bundle) is signed by a different key than \(keyName)") }
    }

    public func isSigned(by trusted: Curve25519.Signing.PublicKey) -> Bool {
        (try? BundleKeys.publicKey(pem: publicKey, source: "signature.json"))?.rawRepresentation == trusted.rawRepresentation
    }
}

/// The zip layer: entries in, archive bytes out, and back.
enum BundleArchive {
    /// Zip entries carry this fixed time so the same bundle always has the same bytes.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    static func zip(_ entries: [(String, Data)]) throws(BundleError) -> Data {
        do {
            let archive = try Archive(data: Data(), accessMode: .create)
            // Binary arrays are stored uncompressed, so a reader takes them in place: inflating
            // tens of megabytes would cost more than reading them.
            for (name, data) in entries {
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: entryDate,
                                     compressionMethod: BinaryArrays.element(ofEntry: name) == nil ? .deflate : .none) { position, size in
                    data.subdata(in: (data.startIndex + Int(position))..<(data.startIndex + Int(position) + size))
                }
            }
            guard let bytes = archive.data else { throw BundleError.internalError("cannot write the bundle archive") }
            return bytes
        } catch let error as BundleError {
            throw error
        } catch {
            throw BundleError.internalError("cannot write the bundle archive (\(error))")
        }
    }

    static func entries(_ zip: Data) throws(BundleError) -> [String: Data] {
        guard zip.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw BundleError.invalid("not a runner bundle (neither a zip archive nor an encrypted bundle)") }
        var entries: [String: Data] = [:]
        // Stored entries (a bundle's binary arrays) are slices of the archive: no copy, no
        // zip library; the rest (deflated JSON) go through it.
        for entry in try ZipLayout.check(zip) {
            guard entries.updateValue(zip[(zip.startIndex + entry.range.lowerBound)..<(zip.startIndex + entry.range.upperBound)], forKey: entry.name) == nil else {
                throw BundleError.invalid("the bundle archive is damaged: entry \(entry.name) appears twice")
            }
        }
        do {
            let archive = try Archive(data: zip, accessMode: .read)
            for entry in archive where entry.type == .file && entries[entry.path] == nil {
                // Bound what a hostile archive can make us inflate, whatever its header declares.
                guard entry.uncompressedSize <= ModelBundle.maximumEntryBytes else { throw BundleError.invalid("bundle entry \(entry.path) is too large (over \(ModelBundle.maximumEntryBytes >> 20) MiB)") }
                var content = Data()
                // Integrity comes from digests.json (SHA-256), checked by the caller.
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    guard content.count + chunk.count <= ModelBundle.maximumEntryBytes else { throw BundleError.invalid("bundle entry \(entry.path) is too large (over \(ModelBundle.maximumEntryBytes >> 20) MiB)") }
                    content.append(chunk)
                }
                entries[entry.path] = content
            }
        } catch let error as BundleError {
            throw error
        } catch {
            throw BundleError.invalid("the bundle archive is damaged: \(ModelBundle.describe(zipError: error))")
        }
        return entries
    }
}

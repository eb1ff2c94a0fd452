import Packaging
import Synchronization

/// The bundles being served, by name. A request takes the current model once and uses it to
/// the end; a reload decodes and checks the new file completely before it replaces the old
/// one in a single step, so traffic never sees a half-loaded model and a bad file leaves
/// the old model serving.
public final class ModelRepository: Sendable {
    public struct Source: Sendable, Equatable {
        /// Empty: the experiment's name from the bundle's manifest, known once loaded.
        public var name: String
        public var path: String

        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    /// What a reload did: the model now served, and whether its file differs from before.
    struct Reload: Sendable {
        var model: ServedModel
        var changed: Bool
    }

    public let sources: [Source]
    let key: BundleKeySource?
    let trust: TrustedSigner?
    /// One slot per source, nil until loaded.
    private let slots: Mutex<[ServedModel?]>

    init(sources: [Source], key: BundleKeySource?, trust: TrustedSigner? = nil) {
        self.sources = sources
        self.key = key
        self.trust = trust
        slots = Mutex([ServedModel?](repeating: nil, count: sources.count))
    }

    func model(named name: String) -> ServedModel? {
        slots.withLock { slots in slots.first { $0?.name == name } ?? nil }
    }

    var loadedModels: [ServedModel] {
        slots.withLock { $0.compactMap { $0 } }
    }

    /// Ready when every bundle is loaded.
    public var isReady: Bool {
        slots.withLock { $0.allSatisfy { $0 != nil } }
    }

    /// Loads every bundle not yet loaded, in order; the first failure stops and is thrown,
    /// naming the bundle. Two bundles may not end up with the same name.
    @discardableResult
    func loadAll() throws(ServeStartError) -> [ServedModel] {
        var loaded: [ServedModel] = []
        for (index, source) in sources.enumerated() where slots.withLock({ $0[index] == nil }) {
            let model: ServedModel
            do {
                model = try ServedModel.load(name: source.name, path: source.path, key: key, trust: trust)
            } catch {
                throw .bundle(name: source.name, path: source.path, error)
            }
            guard ServeConfiguration.isValidName(model.name) else {
                throw .configuration("\(source.path): the experiment name '\(model.name)' cannot name a model in URLs; serve it as NAME=\(source.path)")
            }
            let clash = slots.withLock { slots -> String? in
                if let other = slots.firstIndex(where: { $0?.name == model.name }) { return sources[other].path }
                slots[index] = model
                return nil
            }
            if let clash {
                throw .configuration("two bundles would both be served as '\(model.name)' (\(clash) and \(source.path)); name them: NAME=PATH")
            }
            loaded.append(model)
        }
        return loaded
    }

    /// Reads the named model's file again and swaps it in when it loads; on failure the
    /// model being served stays.
    func reload(_ name: String) throws(ServeError) -> Reload {
        let found = slots.withLock { slots in slots.firstIndex { $0?.name == name } }
        guard let index = found else {
            throw .notFound("no model named '\(name)'; this server has \(loadedModels.map(\.name).joined(separator: ", "))")
        }
        let fresh: ServedModel
        do {
            fresh = try ServedModel.load(name: name, path: sources[index].path, key: key, trust: trust)
        } catch {
            let serving = model(named: name).map { "; still serving version \($0.version)" } ?? ""
            throw ServeError(status: .conflict, message: "cannot load \(sources[index].path): \(error.description)\(serving)")
        }
        let previous = slots.withLock { slots in
            let previous = slots[index]
            slots[index] = fresh
            return previous
        }
        return Reload(model: fresh, changed: previous?.digest != fresh.digest)
    }
}

/// Why the server could not start: a configuration problem or a bundle that does not load.
public enum ServeStartError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case bundle(name: String, path: String, BundleError)

    public var description: String {
        switch self {
        case .configuration(let message): return message
        case .bundle(let name, let path, let error): return "cannot serve model '\(name)' from \(path): \(error.description)"
        }
    }
}

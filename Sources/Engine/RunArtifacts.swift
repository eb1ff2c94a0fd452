import Foundation
import Learn
import Tabular

extension Session {
    /// A run's test-split diagnostics from the store; nil for runs made before diagnostics.
    public static func diagnostics(of results: RunResults, in store: ContentStore) throws(StoreError) -> ModelDiagnostics? {
        guard let digest = results.artifacts[DiagnoseStage.output] else { return nil }
        let data = try store.read(digest)
        do {
            return try CanonicalJSON.decode(ModelDiagnostics.self, from: data)
        } catch {
            throw StoreError.corrupted(digest: digest)
        }
    }

    /// The dataset a run loaded (after the spec's drops), when the store still holds it.
    public static func dataset(of results: RunResults, in store: ContentStore) -> Table? {
        guard let digest = results.artifacts[LoadStage.output], let data = try? store.read(digest) else { return nil }
        return try? TableCodec.decode(data)
    }
}

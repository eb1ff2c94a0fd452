import Learn

/// `manifest.json`: what the bundle holds and where it came from. Plain data.
public struct BundleManifest: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public struct Provenance: Codable, Sendable, Equatable {
        public var experiment: String
        public var specDigest: String
        public var dataDigest: String
        public var runID: String
        /// Stage name → key, for the stages that made the model.
        public var stageKeys: [String: String]
        /// Digest of the fitted pipeline in the store (the refit stage's output).
        public var modelDigest: String

        public init(experiment: String, specDigest: String, dataDigest: String, runID: String, stageKeys: [String: String], modelDigest: String) {
            self.experiment = experiment
            self.specDigest = specDigest
            self.dataDigest = dataDigest
            self.runID = runID
            self.stageKeys = stageKeys
            self.modelDigest = modelDigest
        }
    }

    public var format: Int
    public var runnerVersion: String
    public var created: String
    public var task: Task
    public var target: String
    /// Classification: class labels in the order of probability columns.
    public var classes: [String]?
    public var modelType: String
    public var modelName: String
    public var params: [String: String]
    /// Preprocessing step kinds in order (the learned state is in model.json).
    public var preprocessing: [String]
    public var inputSchema: InputSchema
    /// Cross-validated means and test-split scores of the model.
    public var metrics: [String: [String: Double]]
    public var provenance: Provenance

    public init(format: Int, runnerVersion: String, created: String, task: Task, target: String, classes: [String]?, modelType: String,
                modelName: String, params: [String: String], preprocessing: [String], inputSchema: InputSchema,
                metrics: [String: [String: Double]], provenance: Provenance) {
        self.format = format
        self.runnerVersion = runnerVersion
        self.created = created
        self.task = task
        self.target = target
        self.classes = classes
        self.modelType = modelType
        self.modelName = modelName
        self.params = params
        self.preprocessing = preprocessing
        self.inputSchema = inputSchema
        self.metrics = metrics
        self.provenance = provenance
    }
}

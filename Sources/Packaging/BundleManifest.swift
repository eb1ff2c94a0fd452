import Learn

/// `manifest.json`: what the bundle holds and where it came from. Plain data.
public struct BundleManifest: Codable, Sendable, Equatable {
    /// 2: bundles carry the training data's profile (`profile.json`); format 1 bundles still load.
    public static let currentFormat = 2
    /// 3: large arrays are binary entries (`arrays/N.TAG`); written only when a model has them.
    public static let binaryArraysFormat = 3
    /// 4: boosting trees may split on category sets (`categorySet`, `categorySets`); written
    /// only when a model has such a split, so a runner that would ignore the sets refuses the
    /// bundle instead of predicting without them.
    public static let categorySplitsFormat = 4
    /// The newest format this runner reads.
    public static let newestReadableFormat = 4

    public struct Provenance: Codable, Sendable, Equatable {
        public var experiment: String
        public var specDigest: String
        public var dataDigest: String
        /// Store digests of what the model was made from and scored with: dataset, split,
        /// leaderboard, model, evaluation. Content addresses, so the same inputs give the
        /// same bundle bytes on any machine.
        public var artifacts: [String: String]
        /// Digest of the fitted pipeline in the store (the refit stage's output).
        public var modelDigest: String
        /// Bundles from before packaging was a stage named the run and its stage keys; new
        /// bundles leave them out so that they are reproducible byte for byte.
        public var runID: String?
        public var stageKeys: [String: String]?

        public init(experiment: String, specDigest: String, dataDigest: String, artifacts: [String: String], modelDigest: String) {
            self.experiment = experiment
            self.specDigest = specDigest
            self.dataDigest = dataDigest
            self.artifacts = artifacts
            self.modelDigest = modelDigest
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            experiment = try container.decode(String.self, forKey: .experiment)
            specDigest = try container.decode(String.self, forKey: .specDigest)
            dataDigest = try container.decode(String.self, forKey: .dataDigest)
            artifacts = try container.decodeIfPresent([String: String].self, forKey: .artifacts) ?? [:]
            modelDigest = try container.decode(String.self, forKey: .modelDigest)
            runID = try container.decodeIfPresent(String.self, forKey: .runID)
            stageKeys = try container.decodeIfPresent([String: String].self, forKey: .stageKeys)
        }
    }

    public var format: Int
    public var runnerVersion: String
    /// When the bundle was made: only in bundles from before packaging was a cached,
    /// reproducible stage (a timestamp would make equal models differ).
    public var created: String?
    public var task: LearningTask
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

    public init(format: Int, runnerVersion: String, created: String? = nil, task: LearningTask, target: String, classes: [String]?, modelType: String,
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

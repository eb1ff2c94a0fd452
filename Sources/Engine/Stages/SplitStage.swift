import Foundation
import Learn

/// Train/test rows of the dataset and the cross-validation folds of the training rows.
enum SplitStage: StageDefinition {
    struct Parameters: Codable, Sendable {
        var target: String
        var task: LearningTask
        var testSize: DataSplit.TestSize
        var stratify: Bool
        var shuffle: Bool
        var seed: UInt64
        var folds: Int
        var stratifiedFolds: Bool
        var shuffleFolds: Bool
    }

    static let kind = StageKind.split
    static let version = 1
    static let output = "split"
    static let form = Artifact.Form.split

    static func compute(_ params: Parameters, _ inputs: StageInputs, _ context: StageContext) throws -> (Artifact, [String]) {
        let target = try context.target(try inputs.table(), params.target, params.task)
        let (train, test) = try DataSplit.trainTest(target, testSize: params.testSize, stratify: params.stratify, shuffle: params.shuffle, seed: params.seed)
        let folds = try DataSplit.folds(target.taking(rows: train), count: params.folds, stratified: params.stratifiedFolds, shuffle: params.shuffleFolds, seed: params.seed)
        return (.split(SplitIndices(train: train, test: test, folds: folds)), ["\(train.count) training rows, \(test.count) test rows, \(folds.count) folds"])
    }
}

import Foundation
import Learn
import Packaging
import Spec
import Tabular

/// The `onnx_agrees` model test: exports the model as ONNX, runs the exported bytes on the
/// rows with runner's own ONNX evaluator (the operator definitions, not the model's code) and
/// compares labels, probabilities or values with the model's prediction.
enum ONNXAgreement {
    static func check(model: FittedPipeline, features: Table, tolerance: Double, number: Int, threads: Int) throws -> ModelTestResult {
        let schema = InputSchema(training: features, columns: model.inputColumns)
        let title = "the ONNX export predicts what the model predicts (tolerance \(Wording.number(tolerance))) on the test split (\(features.rowCount) rows)"
        let data: Data
        do {
            data = try ONNXExport.export(model, schema: schema, modelType: "model", name: "onnx_agrees", producerVersion: RunnerVersion.current)
        } catch {
            guard case .unsupportedExport(let reason) = error else { throw error }
            return ModelTestResult(number: number, kind: "onnx_agrees", title: title,
                                   checks: [TestCheck(what: "models without an ONNX export", measured: 1, requirement: Requirement(.atMost, 0))], notes: [reason])
        }
        let evaluator = try ONNXEvaluator(model: data)
        var inputs: [String: ONNXEvaluator.Tensor] = [:]
        let rows = features.rowCount
        for field in schema.fields {
            guard let column = features[field.name] else { throw EngineError.internalError("column '\(field.name)' missing") }
            if field.kind == .categorical {
                inputs[field.name] = .init(shape: [rows, 1], values: .string((0..<rows).map { column.text(at: $0) ?? "" }))
            } else {
                inputs[field.name] = .init(shape: [rows, 1], values: .double(column.numericValues ?? []))
            }
        }
        let outputs = try evaluator.run(inputs)
        let prediction = try model.predict(features, threads: threads)
        var checks: [TestCheck] = [], notes: [String] = []
        switch prediction {
        case .classes(let labels, let probabilities):
            guard let classes = model.classes, case .string(let onnxLabels)? = outputs["label"]?.values else {
                throw EngineError.internalError("the ONNX export of a classifier has no label output")
            }
            var differing = 0
            for row in 0..<rows where onnxLabels[row] != classes[labels[row]] {
                differing += 1
                if notes.count < 5 { notes.append("row \(row + 1): the model says '\(classes[labels[row]])', ONNX '\(onnxLabels[row])'") }
            }
            checks.append(TestCheck(what: "rows with another label", measured: Double(differing), requirement: Requirement(.atMost, 0)))
            if let probabilities, case .double(let onnx)? = outputs["probabilities"]?.values, onnx.count == probabilities.values.count {
                let largest = zip(onnx, probabilities.values).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
                checks.append(TestCheck(what: "largest probability difference", measured: largest, requirement: Requirement(.atMost, tolerance)))
            }
        case .values(let values):
            guard case .double(let onnx)? = outputs["prediction"]?.values, onnx.count == values.count else {
                throw EngineError.internalError("the ONNX export of a regressor has no prediction output")
            }
            let largest = zip(onnx, values).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
            checks.append(TestCheck(what: "largest prediction difference", measured: largest, requirement: Requirement(.atMost, tolerance)))
        }
        return ModelTestResult(number: number, kind: "onnx_agrees", title: title, checks: checks, notes: notes)
    }
}

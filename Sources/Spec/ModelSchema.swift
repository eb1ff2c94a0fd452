import Foundation
import Learn

/// The parts of the experiment JSON Schema that come from the model descriptors: the model
/// type names, and for each type the parameters it takes with their types, ranges, choices
/// and defaults. A test keeps `schemas/experiment.schema.json` equal to this.
public enum ModelSchema {
    /// `$defs.model.properties.type.enum`.
    public static var typeNames: [String] { ModelFamily.names }

    /// `$defs.paramsOf`: per model type, what `params` and `grid` may hold.
    public static var paramsOf: [String: Any] {
        var result: [String: Any] = [:]
        for family in ModelFamily.all {
            var values: [String: Any] = [:], lists: [String: Any] = [:]
            for param in family.params {
                let value = valueSchema(param, family)
                values[param.name] = value
                lists[param.name] = ["type": "array", "minItems": 1, "items": value] as [String: Any]
            }
            let names = family.params.map(\.name)
            result[family.name] = ["properties": [
                "params": ["propertyNames": ["enum": names], "properties": values] as [String: Any],
                "grid": ["propertyNames": ["enum": names], "properties": lists] as [String: Any],
            ]]
        }
        return result
    }

    /// One parameter's value: any of its forms, with its summary and default.
    static func valueSchema(_ param: ParamSpec, _ family: ModelFamily) -> [String: Any] {
        var schema: [String: Any] = ["anyOf": param.forms.map(formSchema), "description": param.summary]
        // Defaults that differ by task are described, not declared (the schema has no task).
        let defaults = Set(family.tasks.map { param.defaultValue(for: $0) })
        if defaults.count == 1, let value = defaults.first { schema["default"] = jsonValue(value) }
        return schema
    }

    static func formSchema(_ form: ParamForm) -> [String: Any] {
        switch form {
        case .null: return ["type": "null"]
        case .bool: return ["type": "boolean"]
        case .int(let range):
            var schema: [String: Any] = ["type": "integer", "minimum": range.lowerBound]
            if range.upperBound != Int.max { schema["maximum"] = range.upperBound }
            return schema
        case .real(let lower, let upper, let lowerOpen, let upperOpen):
            var schema: [String: Any] = ["type": "number"]
            if lower.isFinite { schema[lowerOpen ? "exclusiveMinimum" : "minimum"] = lower }
            if upper.isFinite { schema[upperOpen ? "exclusiveMaximum" : "maximum"] = upper }
            return schema
        case .choice(let options): return ["enum": options]
        }
    }

    static func jsonValue(_ value: ParamValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .int(let number): return number
        case .double(let number): return number
        case .string(let text): return text
        }
    }
}

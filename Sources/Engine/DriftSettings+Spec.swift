import Packaging
import Spec

extension MonitorSpec {
    /// The settings the bundle's profile carries: what the spec set, defaults elsewhere.
    var driftSettings: DriftSettings {
        var settings = DriftSettings()
        if let test = numericTest { settings.numericMethod = DriftSettings.Method(rawValue: test.rawValue) ?? .auto }
        if let test = categoricalTest { settings.categoricalMethod = DriftSettings.Method(rawValue: test.rawValue) ?? .auto }
        for entry in columns { settings.columnMethods[entry.column.value] = DriftSettings.Method(rawValue: entry.test.value) }
        if let pValue { settings.pValue = pValue }
        if let bonferroni { settings.bonferroni = bonferroni }
        if let referenceRowsForTests { settings.referenceRowsForTests = referenceRowsForTests }
        if let window { settings.window = window }
        for (threshold, value) in thresholds {
            switch threshold {
            case .wasserstein: settings.wasserstein = value
            case .jensenShannon: settings.jensenShannon = value
            case .psi: settings.psi = value
            case .missingIncrease: settings.missingIncrease = value
            case .outOfRange: settings.outOfRange = value
            case .unseenCategories: settings.unseenCategories = value
            case .datasetDriftShare: settings.datasetDriftShare = value
            case .performanceWarning: settings.performanceWarning = value
            case .performanceAlert: settings.performanceAlert = value
            }
        }
        return settings
    }
}

/// A declarative `Jenkinsfile`: a stage per step, the shards as `parallel` stages, JUnit and
/// archived artifacts in `post`, and an `input` gate (on the main branch) before each deploy.
/// Secrets come from Jenkins credentials of the same ID as the variable (`credentials()`).
public enum JenkinsPipeline {
    public static func render(_ plan: PipelinePlan) -> String {
        var out = PipelineHeader.lines(plan, settingsPlace: "Jenkins credentials with these IDs (Secret text; Secret file for files; settings as global or folder environment variables)",
                                       fileVariables: "Secret file").map { $0.isEmpty ? "//" : "// " + $0 }
        out.append("pipeline {")
        if let image = plan.options.image {
            out.append("    agent { docker { image \(groovy(image)) } }")
        } else {
            out.append("    agent any")
        }
        out.append("    options {")
        out.append("        disableConcurrentBuilds()")
        out.append("    }")
        out.append("    environment {")
        out.append("        RUNNER = \(groovy(plan.options.runner))")
        if let remote = plan.options.remote { out.append("        RUNNER_REMOTE = \(groovy(remote))") }
        // Credentials every experiment's jobs read; a deploy stage adds its target's own.
        let shared = plan.experiments.flatMap(\.variables).uniqued()
        for variable in shared where variable.kind != .setting {
            out.append("        \(variable.name) = credentials(\(groovy(variable.name)))")
        }
        out.append("    }")
        out.append("    stages {")
        stage("validate", lines: plan.experiments.map { PipelineSteps($0).validate() }, into: &out, indent: 2)
        for experiment in plan.experiments { stages(experiment, plan, shared: shared, into: &out) }
        out.append("    }")
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    private static func stages(_ experiment: PipelineExperiment, _ plan: PipelinePlan, shared: [CIVariable], into out: inout [String]) {
        let steps = PipelineSteps(experiment)
        let name = experiment.name
        let guardRemote = steps.remoteGuard
        if plan.options.shards > 1 {
            let total = plan.options.shards
            out.append("        stage(\(groovy("shard \(name)"))) {")
            out.append("            parallel {")
            for shard in PipelineSteps.shards(total) {
                stage("shard \(name) \(shard)", environment: ["RUNNER_SHARD = \(groovy(shard))"], lines: guardRemote + [steps.shard()], into: &out, indent: 4)
            }
            out.append("            }")
            out.append("        }")
        }
        if experiment.hasTests {
            stage("test \(name)", lines: guardRemote + [steps.test()], post: ["junit testResults: \(groovy(steps.junitReport)), allowEmptyResults: true"], into: &out, indent: 2)
        }
        stage("package \(name)", lines: guardRemote + [steps.package()],
              post: ["archiveArtifacts artifacts: \(groovy(steps.packageFolder + "/**")), allowEmptyArchive: true"], into: &out, indent: 2)
        stage("verify \(name)", lines: [steps.verify()], into: &out, indent: 2)
        guard !experiment.targets.isEmpty else { return }
        stage("image \(name)", lines: guardRemote + steps.image(),
              post: ["archiveArtifacts artifacts: \(groovy(steps.packageFolder + "/deploy/**")), allowEmptyArchive: true"], into: &out, indent: 2)
        for target in experiment.targets {
            let extra = target.variables.filter { variable in variable.kind != .setting && !shared.contains(variable) }
            out.append("        stage(\(groovy("deploy \(name) to \(target.name)"))) {")
            out.append("            when {")
            out.append("                branch \(groovy(plan.options.branch))")
            out.append("                beforeInput true")
            out.append("            }")
            out.append("            input {")
            out.append("                message \(groovy("Deploy \(name) to \(target.name) (\(target.kind.rawValue))?"))")
            out.append("                ok 'Deploy'")
            out.append("            }")
            if !extra.isEmpty {
                out.append("            environment {")
                for variable in extra { out.append("                \(variable.name) = credentials(\(groovy(variable.name)))") }
                out.append("            }")
            }
            out.append("            steps {")
            out.append(contentsOf: shell(steps.deploy(target), indent: 4))
            out.append("            }")
            out.append("        }")
        }
    }

    private static func stage(_ name: String, environment: [String] = [], lines: [String], post: [String] = [], into out: inout [String], indent: Int) {
        let pad = String(repeating: "    ", count: indent)
        out.append(pad + "stage(\(groovy(name))) {")
        if !environment.isEmpty {
            out.append(pad + "    environment {")
            for line in environment { out.append(pad + "        " + line) }
            out.append(pad + "    }")
        }
        out.append(pad + "    steps {")
        out.append(contentsOf: shell(lines, indent: indent + 2))
        out.append(pad + "    }")
        if !post.isEmpty {
            out.append(pad + "    post {")
            out.append(pad + "        always {")
            for line in post { out.append(pad + "            " + line) }
            out.append(pad + "        }")
            out.append(pad + "    }")
        }
        out.append(pad + "}")
    }

    /// An `sh` step: one line as a single-quoted string, several as a triple-quoted block
    /// (Jenkins strips the common indentation; `sh` runs them with `set -e`).
    static func shell(_ lines: [String], indent: Int) -> [String] {
        let pad = String(repeating: "    ", count: indent)
        guard lines.count > 1 else { return [pad + "sh " + groovy(lines.first ?? "")] }
        let escaped = lines.map { line in line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'''", with: "\\'\\'\\'") }
        return [pad + "sh '''"] + escaped.map { pad + "    " + $0 } + [pad + "'''"]
    }

    /// A Groovy single-quoted string (no interpolation: `$` reaches the shell unchanged).
    static func groovy(_ text: String) -> String {
        var result = "'"
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "'": result += "\\'"
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result + "'"
    }
}

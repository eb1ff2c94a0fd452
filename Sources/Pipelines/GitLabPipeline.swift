/// `.gitlab-ci.yml`: stages, `parallel:matrix` shards (RUNNER_SHARD, which `--shard auto`
/// reads; also what gitlabci-local runs), `needs` for the DAG, `rules` and `environment` with
/// a manual gate per deploy target, `artifacts:reports:junit` for the model tests.
public enum GitLabPipeline {
    public static func render(_ plan: PipelinePlan) -> String {
        var entries: [YAMLEntry] = []
        var stages = ["validate"]
        if plan.options.shards > 1 { stages.append("shard") }
        if plan.experiments.contains(where: \.hasTests) { stages.append("test") }
        stages += ["package", "verify"]
        if plan.experiments.contains(where: { !$0.targets.isEmpty }) { stages += ["image", "deploy"] }
        entries.append(YAMLEntry("stages", .strings(stages)))

        var variables: [YAMLEntry] = [YAMLEntry("RUNNER", .string(plan.options.runner), comments: ["The runner command the jobs call (a path, or runner on the image's PATH)."])]
        if let remote = plan.options.remote {
            variables.append(YAMLEntry("RUNNER_REMOTE", .string(remote), comments: ["The store the jobs share: a job finds what earlier jobs computed."]))
        }
        entries.append(YAMLEntry("variables", .mapping(variables)))
        entries.append(YAMLEntry("workflow", .mapping([YAMLEntry("rules", .list([
            .mapping([YAMLEntry("if", "$CI_PIPELINE_SOURCE == \"merge_request_event\"")]),
            .mapping([YAMLEntry("if", "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS"), YAMLEntry("when", "never")]),
            .mapping([YAMLEntry("if", "$CI_COMMIT_BRANCH")]),
        ]))]), comments: ["Branch pipelines, or merge request pipelines when a merge request is open (never both)."]))
        if let image = plan.options.image {
            entries.append(YAMLEntry("default", .mapping([YAMLEntry("image", .string(image))])))
        }

        entries.append(YAMLEntry("validate", .mapping([
            YAMLEntry("stage", "validate"),
            YAMLEntry("needs", []),
            YAMLEntry("script", .strings(plan.experiments.map { PipelineSteps($0).validate() })),
        ])))
        for experiment in plan.experiments { entries += jobs(experiment, plan) }
        return YAMLValue.mapping(entries).document(comments: PipelineHeader.lines(plan, settingsPlace: "Settings > CI/CD > Variables, masked and protected", fileVariables: "a variable of type File"))
    }

    private static func jobs(_ experiment: PipelineExperiment, _ plan: PipelinePlan) -> [YAMLEntry] {
        let steps = PipelineSteps(experiment)
        let guardRemote = steps.remoteGuard, shards = plan.options.shards
        var entries: [YAMLEntry] = []
        if shards > 1 {
            let total = plan.options.shards
            entries.append(YAMLEntry(steps.shardJob, .mapping([
                YAMLEntry("stage", "shard"),
                YAMLEntry("needs", ["validate"]),
                YAMLEntry("parallel", .mapping([YAMLEntry("matrix", .list([.mapping([YAMLEntry("RUNNER_SHARD", .strings(PipelineSteps.shards(total)))])]))])),
                YAMLEntry("script", .strings(guardRemote + [steps.shard()])),
            ]), comments: ["\(experiment.spec): each job computes one share of the cross-validation fits into the remote store."]))
        }
        if experiment.hasTests {
            entries.append(YAMLEntry(steps.testJob, .mapping([
                YAMLEntry("stage", "test"),
                YAMLEntry("needs", .strings(steps.shardsDone(shards))),
                YAMLEntry("script", .strings(guardRemote + [steps.test()])),
                YAMLEntry("artifacts", .mapping([
                    YAMLEntry("when", "always"),
                    YAMLEntry("reports", .mapping([YAMLEntry("junit", .string(steps.junitReport))])),
                    YAMLEntry("paths", .strings([steps.junitReport])),
                ])),
            ]), comments: ["Selects and refits the winner, then runs the spec's model tests (shown in the merge request)."]))
        }
        entries.append(YAMLEntry(steps.packageJob, .mapping([
            YAMLEntry("stage", "package"),
            YAMLEntry("needs", .strings(steps.testsDone(shards))),
            YAMLEntry("script", .strings(guardRemote + [steps.package()])),
            YAMLEntry("artifacts", .mapping([
                YAMLEntry("when", "always"),
                YAMLEntry("paths", .strings([steps.packageFolder + "/"])),
                YAMLEntry("expire_in", "30 days"),
            ])),
        ])))
        entries.append(YAMLEntry(steps.verifyJob, .mapping([
            YAMLEntry("stage", "verify"),
            YAMLEntry("needs", ["validate"]),
            YAMLEntry("script", .strings([steps.verify()])),
        ]), comments: ["Recomputes every stage without any cache: the results must equal \(experiment.lock) bit for bit."]))
        guard !experiment.targets.isEmpty else { return entries }
        entries.append(YAMLEntry(steps.imageJob, .mapping([
            YAMLEntry("stage", "image"),
            YAMLEntry("needs", .list([.mapping([YAMLEntry("job", .string(steps.packageJob)), YAMLEntry("artifacts", true)])])),
            YAMLEntry("script", .strings(guardRemote + steps.image())),
            YAMLEntry("artifacts", .mapping([YAMLEntry("paths", .strings(["\(steps.packageFolder)/deploy/"]))])),
        ])))
        for target in experiment.targets {
            entries.append(YAMLEntry(steps.deployJob(target), .mapping([
                YAMLEntry("stage", "deploy"),
                YAMLEntry("needs", .strings(steps.deployNeeds)),
                YAMLEntry("environment", .mapping([YAMLEntry("name", .string(target.name))])),
                YAMLEntry("resource_group", .string("deploy-\(target.name)")),
                // Job-level `when: manual` (a rule without `when` takes it): gitlabci-local,
                // which ignores rules, leaves the job out too.
                YAMLEntry("rules", .list([.mapping([YAMLEntry("if", .string("$CI_COMMIT_BRANCH == \"\(plan.options.branch)\""))])])),
                YAMLEntry("when", "manual"),
                YAMLEntry("script", .strings(guardRemote + steps.deploy(target))),
            ]), comments: ["Deploys to \(target.name) (\(target.kind.rawValue)) when someone starts it: the gate of this environment."]))
        }
        return entries
    }
}

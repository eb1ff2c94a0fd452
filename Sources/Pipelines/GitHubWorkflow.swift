/// `.github/workflows/runner.yml`: one job per step with `needs`, a matrix over the shards,
/// `environment` per deploy target (its protection rules are the manual gate), secrets mapped
/// per job from `secrets.*`, reports and packages kept with `actions/upload-artifact`.
public enum GitHubWorkflow {
    public static func render(_ plan: PipelinePlan) -> String {
        var environment: [YAMLEntry] = [YAMLEntry("RUNNER", .string(plan.options.runner))]
        if let remote = plan.options.remote {
            environment.append(YAMLEntry("RUNNER_REMOTE", .string(remote)))
        } else if plan.needsRemoteVariable {
            environment.append(YAMLEntry("RUNNER_REMOTE", "${{ vars.RUNNER_REMOTE }}"))
        }
        var jobs: [YAMLEntry] = [YAMLEntry("validate", .mapping(job(plan, variables: [], steps: plan.experiments.map { ("validate \($0.spec)", [PipelineSteps($0).validate()]) })))]
        for experiment in plan.experiments { jobs += self.jobs(experiment, plan) }
        let document = YAMLValue.mapping([
            YAMLEntry("name", "runner"),
            YAMLEntry("on", .mapping([
                YAMLEntry("push", .mapping([YAMLEntry("branches", .strings([plan.options.branch]))])),
                YAMLEntry("pull_request", .mapping([])),
                YAMLEntry("workflow_dispatch", .mapping([])),
            ])),
            YAMLEntry("permissions", .mapping([YAMLEntry("contents", "read")]), comments: ["Least privilege: the jobs read the repository and nothing else."]),
            YAMLEntry("concurrency", .mapping([YAMLEntry("group", "runner-${{ github.ref }}"), YAMLEntry("cancel-in-progress", false)])),
            YAMLEntry("env", .mapping(environment)),
            YAMLEntry("jobs", .mapping(jobs)),
        ])
        return document.document(comments: PipelineHeader.lines(plan, settingsPlace: "Settings > Secrets and variables > Actions (secrets; settings as variables; a file's content as a secret the job writes to a file)", fileVariables: "secret holding the file's content"))
    }

    private static func jobs(_ experiment: PipelineExperiment, _ plan: PipelinePlan) -> [YAMLEntry] {
        let steps = PipelineSteps(experiment)
        let name = experiment.name
        let guardRemote = steps.remoteGuard, shards = plan.options.shards
        var entries: [YAMLEntry] = []
        if shards > 1 {
            let total = plan.options.shards
            var job = self.job(plan, variables: experiment.variables, extraEnvironment: [YAMLEntry("RUNNER_SHARD", "${{ matrix.shard }}")],
                               steps: [("shard ${{ matrix.shard }} of \(experiment.spec)", guardRemote + [steps.shard()])])
            job.insert(YAMLEntry("strategy", .mapping([
                YAMLEntry("fail-fast", false),
                YAMLEntry("matrix", .mapping([YAMLEntry("shard", .strings(PipelineSteps.shards(total)))])),
            ])), at: 0)
            job.insert(YAMLEntry("needs", ["validate"]), at: 0)
            entries.append(YAMLEntry(steps.shardJob, .mapping(job)))
        }
        if experiment.hasTests {
            var job = self.job(plan, variables: experiment.variables, steps: [("model tests of \(experiment.spec)", guardRemote + [steps.test()])],
                               upload: (name: "\(name)-tests", path: steps.junitReport))
            job.insert(YAMLEntry("needs", .strings(steps.shardsDone(shards))), at: 0)
            entries.append(YAMLEntry(steps.testJob, .mapping(job)))
        }
        var package = job(plan, variables: experiment.variables, steps: [("package \(experiment.spec)", guardRemote + [steps.package()])],
                          upload: (name: "\(name)-package", path: steps.packageFolder + "/"))
        package.insert(YAMLEntry("needs", .strings(steps.testsDone(shards))), at: 0)
        entries.append(YAMLEntry(steps.packageJob, .mapping(package)))
        var verify = job(plan, variables: experiment.dataVariables,
                         steps: [("recompute \(experiment.spec) without a cache and compare with \(experiment.lock)", [steps.verify()])])
        verify.insert(YAMLEntry("needs", ["validate"]), at: 0)
        entries.append(YAMLEntry(steps.verifyJob, .mapping(verify)))
        guard !experiment.targets.isEmpty else { return entries }
        var image = job(plan, variables: experiment.variables, steps: [("build the image of \(experiment.name)", guardRemote + steps.image())],
                        upload: (name: "\(name)-deploy", path: "\(steps.packageFolder)/deploy/"))
        image.insert(YAMLEntry("needs", .strings([steps.packageJob])), at: 0)
        entries.append(YAMLEntry(steps.imageJob, .mapping(image)))
        for target in experiment.targets {
            var deploy = job(plan, variables: (experiment.variables + target.variables).uniqued(),
                             steps: [("deploy \(experiment.name) to \(target.name)", guardRemote + steps.deploy(target))])
            deploy.insert(YAMLEntry("environment", .string(target.name)), at: 0)
            deploy.insert(YAMLEntry("if", .string("github.ref == 'refs/heads/\(plan.options.branch)' && github.event_name != 'pull_request'")), at: 0)
            deploy.insert(YAMLEntry("needs", .strings(steps.deployNeeds)), at: 0)
            entries.append(YAMLEntry(steps.deployJob(target), .mapping(deploy),
                                     comments: ["Waits for the reviewers of environment \(target.name) (Settings > Environments): the manual gate."]))
        }
        return entries
    }

    /// A job's common part: machine, container, the secrets it maps, checkout, its commands,
    /// and optionally an artifact upload that runs even when a step failed.
    private static func job(_ plan: PipelinePlan, variables: [CIVariable], extraEnvironment: [YAMLEntry] = [],
                            steps: [(name: String, lines: [String])], upload: (name: String, path: String)? = nil) -> [YAMLEntry] {
        var entries: [YAMLEntry] = [YAMLEntry("runs-on", .string(plan.options.runsOn))]
        if let image = plan.options.image { entries.append(YAMLEntry("container", .string(image))) }
        var environment = extraEnvironment
        var fileSteps: [YAMLValue] = []
        for variable in variables {
            switch variable.kind {
            case .secret: environment.append(YAMLEntry(variable.name, .string("${{ secrets.\(variable.name) }}")))
            case .setting: environment.append(YAMLEntry(variable.name, .string("${{ vars.\(variable.name) }}")))
            case .file:
                // A file's content is a secret; the job writes it under RUNNER_TEMP and names the path.
                environment.append(YAMLEntry("\(variable.name)_CONTENT", .string("${{ secrets.\(variable.name) }}")))
                fileSteps.append(.mapping([
                    YAMLEntry("name", .string("write \(variable.name)")),
                    YAMLEntry("run", .string("umask 077 && printf '%s' \"${\(variable.name)_CONTENT}\" > \"${RUNNER_TEMP}/\(variable.name)\" && echo \"\(variable.name)=${RUNNER_TEMP}/\(variable.name)\" >> \"${GITHUB_ENV}\"")),
                ]))
            }
        }
        if !environment.isEmpty { entries.append(YAMLEntry("env", .mapping(environment))) }
        var list: [YAMLValue] = [.mapping([YAMLEntry("uses", "actions/checkout@v4")])] + fileSteps
        for step in steps {
            list.append(.mapping([YAMLEntry("name", .string(step.name)), YAMLEntry("run", .string(step.lines.joined(separator: "\n")))]))
        }
        if let upload {
            list.append(.mapping([
                YAMLEntry("if", "always()"),
                YAMLEntry("uses", "actions/upload-artifact@v4"),
                YAMLEntry("with", .mapping([YAMLEntry("name", .string(upload.name)), YAMLEntry("path", .string(upload.path)), YAMLEntry("if-no-files-found", "ignore")])),
            ]))
        }
        entries.append(YAMLEntry("steps", .list(list)))
        return entries
    }
}

/// Renders a planned pipeline for its CI system.
public enum Pipeline {
    public static func render(_ plan: PipelinePlan) -> String {
        switch plan.options.system {
        case .gitlab: return GitLabPipeline.render(plan)
        case .github: return GitHubWorkflow.render(plan)
        case .jenkins: return JenkinsPipeline.render(plan)
        case .kubernetes: return KubernetesJobs.render(plan)
        }
    }
}

import Foundation
import Spec

/// `type: aws_ec2`: an instance role allowed to read only this image archive and these
/// secrets, a security group open only to `allow_cidr` on the server's port, and an
/// instance with IMDSv2 required, an encrypted root volume and the cloud-init user data.
enum AWSTarget {
    static func plan(_ aws: DeployTarget.AWS, _ context: PlanContext) -> DeploymentPlan {
        let name = context.resourceName
        let region = ["--region", aws.region]
        let archive = "\(aws.artifacts)/\(context.archiveName)"
        let port = context.target.port
        var apply: [CommandStep] = context.target.image == nil ? context.imageArchiveSteps : context.imageBuildSteps + context.pushSteps
        if context.target.image == nil {
            apply.append(CommandStep("upload the image archive", ["aws", "s3", "cp", "${DEPLOY_DIR}/image.tar", archive] + region))
        }
        let tags = context.labels.map { "{Key=\($0.0),Value=\($0.1)}" }.joined(separator: ",")
        apply += [
            CommandStep("look for the instance role", ["aws", "iam", "list-roles", "--query", "Roles[?RoleName=='\(name)'].RoleName", "--output", "text"], capture: "ROLE", records: true),
            CommandStep("create the instance role", ["aws", "iam", "create-role", "--role-name", name,
                                                     "--assume-role-policy-document", "file://${DEPLOY_DIR}/trust-policy.json",
                                                     "--tags"] + context.labels.map { "Key=\($0.0),Value=\($0.1)" } + ["--query", "Role.RoleName", "--output", "text"],
                        capture: "ROLE", unless: "ROLE", records: true),
            CommandStep("allow it to read only this archive and these secrets", ["aws", "iam", "put-role-policy", "--role-name", name, "--policy-name", name,
                                                                                 "--policy-document", "file://${DEPLOY_DIR}/instance-policy.json"]),
            CommandStep("look for the instance profile", ["aws", "iam", "list-instance-profiles", "--query", "InstanceProfiles[?InstanceProfileName=='\(name)'].InstanceProfileName", "--output", "text"],
                        capture: "PROFILE", records: true),
            CommandStep("create the instance profile", ["aws", "iam", "create-instance-profile", "--instance-profile-name", name, "--query", "InstanceProfile.InstanceProfileName", "--output", "text"],
                        capture: "PROFILE", unless: "PROFILE", records: true),
            CommandStep("look for the role in the profile", ["aws", "iam", "list-instance-profiles-for-role", "--role-name", name,
                                                             "--query", "InstanceProfiles[?InstanceProfileName=='\(name)'].InstanceProfileName", "--output", "text"], capture: "PROFILE_ROLE"),
            CommandStep("put the role in the profile", ["aws", "iam", "add-role-to-instance-profile", "--instance-profile-name", name, "--role-name", name], unless: "PROFILE_ROLE"),
            CommandStep("wait for the profile", ["aws", "iam", "wait", "instance-profile-exists", "--instance-profile-name", name]),
        ]
        if let subnet = aws.subnet {
            apply.append(CommandStep("find the subnet's network", ["aws", "ec2", "describe-subnets", "--subnet-ids", subnet, "--query", "Subnets[0].VpcId", "--output", "text"] + region, capture: "VPC_ID"))
        }
        apply += [
            CommandStep("look for the security group", ["aws", "ec2", "describe-security-groups", "--filters", "Name=group-name,Values=\(name)",
                                                        "--query", "SecurityGroups[0].GroupId", "--output", "text"] + region, capture: "GROUP_ID", records: true),
            CommandStep("create the security group", ["aws", "ec2", "create-security-group", "--group-name", name,
                                                      "--description", "runner serve for \(context.subject.slug): port \(port) from \(aws.exposure.allowCIDR) only"]
                        + (aws.subnet == nil ? [] : ["--vpc-id", "${VPC_ID}"])
                        + ["--tag-specifications", "ResourceType=security-group,Tags=[\(tags)]", "--query", "GroupId", "--output", "text"] + region,
                        capture: "GROUP_ID", unless: "GROUP_ID", records: true),
            CommandStep("look for its rule for port \(port)", ["aws", "ec2", "describe-security-groups", "--group-ids", "${GROUP_ID}",
                                                                "--query", "SecurityGroups[0].IpPermissions[?FromPort==`\(port)`].ToPort", "--output", "text"] + region,
                        capture: "RULE"),
            CommandStep("allow \(aws.exposure.allowCIDR) on port \(port), nothing else", ["aws", "ec2", "authorize-security-group-ingress", "--group-id", "${GROUP_ID}",
                                                                                           "--ip-permissions", ingress(aws.exposure.allowCIDR, port)] + region, unless: "RULE"),
            CommandStep("look for the instance", ["aws", "ec2", "describe-instances", "--filters", "Name=tag:runner-target,Values=\(context.name)",
                                                  "Name=instance-state-name,Values=pending,running",
                                                  "--query", "Reservations[0].Instances[0].InstanceId", "--output", "text"] + region,
                        capture: "INSTANCE_ID", records: true),
            CommandStep("launch the instance (IMDSv2 only, encrypted root volume)", ["aws", "ec2", "run-instances", "--image-id", aws.ami,
                                                                                     "--instance-type", aws.instanceType, "--count", "1",
                                                                                     "--security-group-ids", "${GROUP_ID}"]
                        + (aws.subnet.map { ["--subnet-id", $0] } ?? [])
                        + ["--iam-instance-profile", "Name=\(name)",
                           "--metadata-options", "HttpTokens=required,HttpEndpoint=enabled,HttpPutResponseHopLimit=2",
                           "--block-device-mappings", #"[{"DeviceName":"/dev/xvda","Ebs":{"Encrypted":true,"VolumeType":"gp3","VolumeSize":16,"DeleteOnTermination":true}}]"#,
                           "--user-data", "file://${DEPLOY_DIR}/cloud-init.yaml",
                           "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=\(name)},\(tags)]", "ResourceType=volume,Tags=[\(tags)]",
                           "--query", "Instances[0].InstanceId", "--output", "text"] + region,
                        capture: "INSTANCE_ID", unless: "INSTANCE_ID", records: true),
            CommandStep("wait until it runs", ["aws", "ec2", "wait", "instance-running", "--instance-ids", "${INSTANCE_ID}"] + region),
            CommandStep("read its address", ["aws", "ec2", "describe-instances", "--instance-ids", "${INSTANCE_ID}",
                                             "--query", "Reservations[0].Instances[0].PublicIpAddress", "--output", "text"] + region,
                        capture: "ADDRESS", records: true),
        ]
        var destroy = [
            CommandStep("find the instance", ["aws", "ec2", "describe-instances", "--filters", "Name=tag:runner-target,Values=\(context.name)",
                                              "Name=instance-state-name,Values=pending,running,stopping,stopped",
                                              "--query", "Reservations[0].Instances[0].InstanceId", "--output", "text"] + region,
                        capture: "INSTANCE_ID"),
            CommandStep("terminate it", ["aws", "ec2", "terminate-instances", "--instance-ids", "${INSTANCE_ID}", "--query", "TerminatingInstances[0].CurrentState.Name", "--output", "text"] + region, when: "INSTANCE_ID"),
            CommandStep("wait until it is gone", ["aws", "ec2", "wait", "instance-terminated", "--instance-ids", "${INSTANCE_ID}"] + region, when: "INSTANCE_ID"),
            CommandStep("find the security group", ["aws", "ec2", "describe-security-groups", "--filters", "Name=group-name,Values=\(name)",
                                                    "--query", "SecurityGroups[0].GroupId", "--output", "text"] + region, capture: "GROUP_ID"),
            CommandStep("delete it", ["aws", "ec2", "delete-security-group", "--group-id", "${GROUP_ID}"] + region, when: "GROUP_ID"),
            CommandStep("find the role in the profile", ["aws", "iam", "list-instance-profiles", "--query", "InstanceProfiles[?InstanceProfileName=='\(name)'].Roles[].RoleName", "--output", "text"], capture: "PROFILE_ROLE"),
            CommandStep("take the role out of the profile", ["aws", "iam", "remove-role-from-instance-profile", "--instance-profile-name", name, "--role-name", name], when: "PROFILE_ROLE"),
            CommandStep("find the instance profile", ["aws", "iam", "list-instance-profiles", "--query", "InstanceProfiles[?InstanceProfileName=='\(name)'].InstanceProfileName", "--output", "text"], capture: "PROFILE"),
            CommandStep("delete it", ["aws", "iam", "delete-instance-profile", "--instance-profile-name", name], when: "PROFILE"),
            CommandStep("find the role", ["aws", "iam", "list-roles", "--query", "Roles[?RoleName=='\(name)'].RoleName", "--output", "text"], capture: "ROLE"),
            CommandStep("delete its policy", ["aws", "iam", "delete-role-policy", "--role-name", name, "--policy-name", name], when: "ROLE"),
            CommandStep("delete it", ["aws", "iam", "delete-role", "--role-name", name], when: "ROLE"),
        ]
        if context.target.image == nil {
            destroy.append(CommandStep("delete the image archive", ["aws", "s3", "rm", archive] + region))
        }
        let bootstrap = VMBootstrap(context: context, cloud: cloud(aws, archive: archive))
        let files = [
            GeneratedFile("cloud-init.yaml", bootstrap.cloudConfig),
            GeneratedFile("trust-policy.json", JSONText.pretty(["Version": "2012-10-17", "Statement": [[
                "Effect": "Allow", "Principal": ["Service": "ec2.amazonaws.com"], "Action": "sts:AssumeRole"]]])),
            GeneratedFile("instance-policy.json", JSONText.pretty(["Version": "2012-10-17", "Statement": statements(aws, context, archive: archive)])),
        ]
        return DeploymentPlan(target: context.name, kind: context.target.platform.kind.rawValue, files: files, apply: apply, destroy: destroy,
                              tools: [.containerEngine, .aws])
    }

    static func ingress(_ cidr: String, _ port: Int) -> String {
        let range = cidr.contains(":") ? "Ipv6Ranges=[{CidrIpv6=\(cidr),Description=runner}]" : "IpRanges=[{CidrIp=\(cidr),Description=runner}]"
        return "IpProtocol=tcp,FromPort=\(port),ToPort=\(port),\(range)"
    }

    /// The instance role's only permissions: this archive (or this registry repository) and
    /// these secrets.
    static func statements(_ aws: DeployTarget.AWS, _ context: PlanContext, archive: String) -> [[String: Any]] {
        var statements: [[String: Any]] = []
        if let image = context.target.image {
            let parts = image.split(separator: "/", maxSplits: 1).map(String.init)
            let host = parts.first ?? ""
            let account = host.split(separator: ".").first.map(String.init) ?? "*"
            let repository = (parts.count > 1 ? parts[1] : "").split(separator: ":").first.map(String.init) ?? ""
            if host.contains(".dkr.ecr.") {
                statements.append(["Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"])
                statements.append(["Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                   "Resource": "arn:aws:ecr:\(aws.region):\(account):repository/\(repository)"])
            }
        } else {
            statements.append(["Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + archive.dropFirst("s3://".count)])
        }
        var parameters: [String] = [], secrets: [String] = []
        for (_, reference) in context.target.secrets.all {
            switch reference {
            case .awsSSMParameter(let name):
                parameters.append("arn:aws:ssm:\(aws.region):*:parameter" + (name.hasPrefix("/") ? name : "/" + name))
            case .awsSecretsManager(let id):
                secrets.append(id.hasPrefix("arn:") ? id : "arn:aws:secretsmanager:\(aws.region):*:secret:\(id)-*")
            default: break
            }
        }
        if !parameters.isEmpty { statements.append(["Effect": "Allow", "Action": "ssm:GetParameter", "Resource": parameters]) }
        if !secrets.isEmpty { statements.append(["Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secrets]) }
        return statements
    }

    static func cloud(_ aws: DeployTarget.AWS, archive: String) -> VMBootstrap.Cloud {
        let region = ShellScript.quote(aws.region)
        return VMBootstrap.Cloud(
            engine: "docker", packages: ["docker"], setup: ["systemctl enable --now docker"],
            fetchArchive: { path in "aws s3 cp \(ShellScript.quote(archive)) \(path) --region \(region)" },
            registryLogin: { image in
                guard image.contains(".dkr.ecr.") else { return nil }
                let host = String(image.split(separator: "/").first ?? "")
                return "aws ecr get-login-password --region \(region) | docker login --username AWS --password-stdin \(ShellScript.quote(host))"
            },
            readSecret: { reference in
                switch reference {
                case .awsSSMParameter(let name):
                    return "aws ssm get-parameter --region \(region) --with-decryption --name \(ShellScript.quote(name)) --query Parameter.Value --output text"
                case .awsSecretsManager(let id):
                    return "aws secretsmanager get-secret-value --region \(region) --secret-id \(ShellScript.quote(id)) --query SecretString --output text"
                default: return nil
                }
            })
    }
}

/// JSON the planners write (policies, alert definitions): sorted keys, two-space indent,
/// so a plan's files are the same bytes on every machine.
enum JSONText {
    /// One line, sorted keys: a JSON value passed as a command-line argument.
    static func compact(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func pretty(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

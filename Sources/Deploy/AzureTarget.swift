import Spec

/// `type: azure_vm`: a user-assigned managed identity allowed to read only these Key Vault
/// secrets and the archive's storage container, a network security group open only to
/// `allow_cidr` on the server's port (no SSH rule), and a VM booted with the cloud-init data.
enum AzureTarget {
    static func plan(_ azure: DeployTarget.Azure, _ context: PlanContext) -> DeploymentPlan {
        let name = context.resourceName
        let group = ["--resource-group", azure.resourceGroup]
        let storage = StorageLocation(azure.artifacts)
        let blob = storage.prefix.isEmpty ? context.archiveName : "\(storage.prefix)/\(context.archiveName)"
        let tags = ["--tags"] + context.labels.map { "\($0.0)=\($0.1)" }
        var apply: [CommandStep] = context.target.image == nil ? context.imageArchiveSteps : context.imageBuildSteps + context.pushSteps
        apply.append(CommandStep("make sure the resource group exists", ["az", "group", "create", "--name", azure.resourceGroup, "--location", azure.location, "--query", "name", "--output", "tsv"]))
        if context.target.image == nil {
            apply.append(CommandStep("upload the image archive", ["az", "storage", "blob", "upload", "--account-name", storage.account, "--container-name", storage.container,
                                                                  "--name", blob, "--file", "${DEPLOY_DIR}/image.tar", "--auth-mode", "login", "--overwrite", "true", "--output", "none"]))
        }
        apply += [
            CommandStep("create the VM's managed identity", ["az", "identity", "create"] + group + ["--name", name, "--location", azure.location] + tags + ["--query", "id", "--output", "tsv"],
                        capture: "IDENTITY_ID", records: true),
            CommandStep("read its principal", ["az", "identity", "show"] + group + ["--name", name, "--query", "principalId", "--output", "tsv"], capture: "PRINCIPAL_ID", records: true),
        ]
        if context.target.image == nil {
            apply += [
                CommandStep("find the archive's storage account", ["az", "storage", "account", "show", "--name", storage.account, "--query", "id", "--output", "tsv"], capture: "STORAGE_ID"),
                CommandStep("let the identity read that container only", ["az", "role", "assignment", "create", "--assignee-object-id", "${PRINCIPAL_ID}",
                                                                           "--assignee-principal-type", "ServicePrincipal", "--role", "Storage Blob Data Reader",
                                                                           "--scope", "${STORAGE_ID}/blobServices/default/containers/\(storage.container)", "--output", "none"]),
            ]
        }
        for (index, (secret, reference)) in context.target.secrets.all.enumerated() {
            guard case .azureKeyVault(let vault, let secretName) = reference else { continue }
            let variable = "VAULT_ID_\(index + 1)"
            apply += [
                CommandStep("find Key Vault \(vault)", ["az", "keyvault", "show", "--name", vault, "--query", "id", "--output", "tsv"], capture: variable),
                CommandStep("let the identity read \(secret) only", ["az", "role", "assignment", "create", "--assignee-object-id", "${PRINCIPAL_ID}",
                                                                      "--assignee-principal-type", "ServicePrincipal", "--role", "Key Vault Secrets User",
                                                                      "--scope", "${\(variable)}/secrets/\(secretName)", "--output", "none"]),
            ]
        }
        apply += [
            CommandStep("create the network security group", ["az", "network", "nsg", "create"] + group + ["--name", name, "--location", azure.location] + tags + ["--output", "none"]),
            CommandStep("allow \(azure.exposure.allowCIDR) on port \(context.target.port), nothing else",
                        ["az", "network", "nsg", "rule", "create"] + group + ["--nsg-name", name, "--name", "allow-runner-\(context.target.port)",
                                                                              "--priority", "1000", "--direction", "Inbound", "--access", "Allow", "--protocol", "Tcp",
                                                                              "--source-address-prefixes", azure.exposure.allowCIDR,
                                                                              "--destination-port-ranges", String(context.target.port), "--output", "none"]),
            CommandStep("look for the VM", ["az", "vm", "list"] + group + ["--query", "[?name=='\(name)'].id", "--output", "tsv"], capture: "VM_ID", records: true),
            CommandStep("create the VM", ["az", "vm", "create"] + group + ["--name", name, "--location", azure.location, "--image", azure.image, "--size", azure.size,
                                                                           "--custom-data", "${DEPLOY_DIR}/cloud-init.yaml", "--assign-identity", "${IDENTITY_ID}",
                                                                           "--nsg", name, "--nsg-rule", "NONE", "--public-ip-sku", "Standard",
                                                                           "--public-ip-address", "\(name)-ip", "--vnet-name", "\(name)-vnet",
                                                                           "--nic-delete-option", "Delete", "--os-disk-delete-option", "Delete",
                                                                           "--admin-username", "runner", "--generate-ssh-keys"] + tags + ["--query", "id", "--output", "tsv"],
                        capture: "VM_ID", unless: "VM_ID", records: true),
            CommandStep("read its address", ["az", "vm", "show", "--show-details"] + group + ["--name", name, "--query", "publicIps", "--output", "tsv"], capture: "ADDRESS", records: true),
        ]
        var destroy = [
            CommandStep("find the VM", ["az", "vm", "list"] + group + ["--query", "[?name=='\(name)'].id", "--output", "tsv"], capture: "VM_ID"),
            CommandStep("delete it (with its disk and network interface)", ["az", "vm", "delete"] + group + ["--name", name, "--yes"], when: "VM_ID"),
            CommandStep("delete its public address", ["az", "network", "public-ip", "delete"] + group + ["--name", "\(name)-ip"]),
            CommandStep("delete its network", ["az", "network", "vnet", "delete"] + group + ["--name", "\(name)-vnet"]),
            CommandStep("delete the network security group", ["az", "network", "nsg", "delete"] + group + ["--name", name]),
            CommandStep("find the identity's principal", ["az", "identity", "list"] + group + ["--query", "[?name=='\(name)'].principalId", "--output", "tsv"], capture: "PRINCIPAL_ID"),
            CommandStep("delete its role assignments", ["az", "role", "assignment", "delete", "--assignee", "${PRINCIPAL_ID}"], when: "PRINCIPAL_ID"),
            CommandStep("delete the identity", ["az", "identity", "delete"] + group + ["--name", name]),
        ]
        if context.target.image == nil {
            destroy.append(CommandStep("delete the image archive", ["az", "storage", "blob", "delete", "--account-name", storage.account, "--container-name", storage.container,
                                                                    "--name", blob, "--auth-mode", "login"]))
        }
        let bootstrap = VMBootstrap(context: context, cloud: cloud(storage: storage, blob: blob))
        return DeploymentPlan(target: context.name, kind: context.target.platform.kind.rawValue, files: [GeneratedFile("cloud-init.yaml", bootstrap.cloudConfig)],
                              apply: apply, destroy: destroy, tools: [.containerEngine, .az])
    }

    /// The VM reads the archive and secrets with its managed identity's tokens from the
    /// instance metadata service (curl and python3 ship with Ubuntu's cloud images).
    static func cloud(storage: StorageLocation, blob: String) -> VMBootstrap.Cloud {
        VMBootstrap.Cloud(
            engine: "podman", packages: ["podman", "curl"], setup: [],
            fetchArchive: { path in
                "curl --fail --silent --show-error --header \"Authorization: Bearer $(token https://storage.azure.com/)\" --header 'x-ms-version: 2021-08-06' "
                    + "--output \(path) \(ShellScript.quote("https://\(storage.account).blob.core.windows.net/\(storage.container)/\(blob)"))"
            },
            registryLogin: { _ in nil },
            readSecret: { reference in
                guard case .azureKeyVault(let vault, let secret) = reference else { return nil }
                return "curl --fail --silent --show-error --header \"Authorization: Bearer $(token https://vault.azure.net)\" "
                    + "\(ShellScript.quote("https://\(vault).vault.azure.net/secrets/\(secret)?api-version=7.4")) | python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)[\"value\"])'"
            },
            helpers: [
                "# An access token of the VM's managed identity for one resource.",
                "token() {",
                "  curl --fail --silent --show-error --header Metadata:true \"http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=$1\" |",
                "    python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)[\"access_token\"])'",
                "}",
            ])
    }
}

/// `https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX` or `gs://BUCKET/PREFIX` taken apart.
struct StorageLocation {
    var account: String
    var container: String
    var prefix: String

    init(_ url: String) {
        var rest = url
        for scheme in ["https://", "gs://", "s3://"] where rest.hasPrefix(scheme) { rest = String(rest.dropFirst(scheme.count)) }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let host = parts.first ?? ""
        if url.hasPrefix("https://") {
            account = String(host.split(separator: ".").first ?? "")
            container = parts.count > 1 ? parts[1] : ""
            prefix = parts.dropFirst(2).joined(separator: "/")
        } else {
            account = ""
            container = host
            prefix = parts.dropFirst().joined(separator: "/")
        }
    }
}

using System.Globalization;
using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;

namespace Fraud.Deploy.Tests;

/// <summary>Deployments, their sidecars, probes, Services, Ingress, HPA, PDBs and network policies, per rendered environment.</summary>
public sealed class WorkloadTests
{
    public static TheoryData<string> Overlays() => new() { "dev", "prod" };

    private static IEnumerable<YamlDoc> DaprDeployments(IReadOnlyList<YamlDoc> docs) =>
        docs.OfKind("Deployment").Where(d => d.PodAnnotations().GetValueOrDefault("dapr.io/enabled") is "true");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Both_apps_run_with_a_sidecar_whose_app_id_and_port_match_the_contract(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var byAppId = DaprDeployments(docs).ToDictionary(d => d.PodAnnotations()["dapr.io/app-id"] as string ?? "");
        Assert.Equal(Contract.AppIds.Order(StringComparer.Ordinal), byAppId.Keys.Order(StringComparer.Ordinal));

        foreach (var (appId, deployment) in byAppId)
        {
            var expectedPort = Contract.AppPorts[appId];
            var annotations = deployment.PodAnnotations();
            Assert.Equal(expectedPort.ToString(CultureInfo.InvariantCulture), annotations["dapr.io/app-port"]);

            var container = deployment.AppContainer();
            Assert.True(container is not null, $"{deployment.Id}: no container named {appId}");
            var http = container.List("ports").Single(p => p.Str("name") == "http");
            Assert.Equal(expectedPort, http.Long("containerPort"));

            var urls = container.List("env").Single(e => e.Str("name") == "ASPNETCORE_URLS").Str("value")!;
            Assert.Equal(expectedPort, new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port);
            Assert.Equal(ServiceRoutes.Ready, annotations.GetValueOrDefault("dapr.io/app-health-check-path"));
            Assert.Equal("true", annotations.GetValueOrDefault("dapr.io/enable-app-health-check"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Dapr_annotations_are_known_to_the_injector_and_reference_existing_objects(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        foreach (var deployment in DaprDeployments(docs))
        {
            var annotations = deployment.PodAnnotations();
            var unknown = annotations.Keys.Where(k => k.StartsWith("dapr.io/", StringComparison.Ordinal) && !Contract.DaprAnnotations.Contains(k)).ToList();
            Assert.True(unknown.Count == 0, $"{deployment.Id}: unknown Dapr annotations {string.Join(", ", unknown)}");
            Assert.NotNull(docs.Find("Configuration", (string)annotations["dapr.io/config"]!));
            Assert.Contains(annotations.GetValueOrDefault("dapr.io/log-level"), new object?[] { "debug", "info", "warn", "error" });
            foreach (var quantity in new[] { "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-memory-request", "dapr.io/sidecar-cpu-limit", "dapr.io/sidecar-memory-limit" })
            {
                Assert.True(annotations.ContainsKey(quantity), $"{deployment.Id}: {quantity} not set");
                _ = new k8s.Models.ResourceQuantity((string)annotations[quantity]!).ToDecimal();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_use_the_health_routes_on_the_app_port_and_the_detector_has_a_startup_probe(string overlay)
    {
        foreach (var deployment in DaprDeployments(Rendered.Overlay(overlay)))
        {
            var container = deployment.AppContainer();
            var portNames = container.List("ports").Select(p => p.Str("name")).ToHashSet();
            foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
            {
                var get = container.At(probe, "httpGet");
                Assert.True(get is not null, $"{deployment.Id}: no {probe}");
                Assert.Contains(get.Str("path"), Contract.ProbePaths);
                var port = get.Str("port");
                Assert.True(portNames.Contains(port) || port == Contract.AppPorts[deployment.PodAnnotations()["dapr.io/app-id"] as string ?? ""].ToString(CultureInfo.InvariantCulture), $"{deployment.Id} {probe} port {port}");
            }

            Assert.Equal(ServiceRoutes.Live, container.Str("livenessProbe", "httpGet", "path"));
            Assert.Equal(ServiceRoutes.Ready, container.Str("readinessProbe", "httpGet", "path"));
        }

        var detector = Rendered.Overlay(overlay).Get("Deployment", DaprNames.DetectorAppId).AppContainer();
        var budget = detector.Long("startupProbe", "periodSeconds")!.Value * detector.Long("startupProbe", "failureThreshold")!.Value;
        Assert.True(budget >= 60, $"the detector's startup probe allows {budget} s for the model to load");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_detector_outlives_its_drain(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var detector = docs.Get("Deployment", DaprNames.DetectorAppId);
        var drain = DrainTimeout(docs, detector);
        var annotations = detector.PodAnnotations();
        var block = Manifests.GoDuration((string)annotations["dapr.io/block-shutdown-duration"]!);
        var graceful = TimeSpan.FromSeconds(long.Parse((string)annotations["dapr.io/graceful-shutdown-seconds"]!, CultureInfo.InvariantCulture));
        var grace = TimeSpan.FromSeconds(detector.Root.Long("spec", "template", "spec", "terminationGracePeriodSeconds") ?? 30);

        // The detector's host stops within DrainTimeout + 15 s (HostOptions.ShutdownTimeout); the
        // sidecar's APIs must outlive that.
        var appStop = drain + Contract.DetectorStopMargin;
        Assert.True(appStop <= block, $"the sidecar stops serving after {block} but the app may take {appStop} to stop");
        Assert.True(block + graceful < grace, $"block {block} + graceful {graceful} must end before the kubelet kills at {grace}");
        Assert.True(drain < grace, $"terminationGracePeriodSeconds {grace} must exceed the drain {drain}");

        var api = docs.Get("Deployment", DaprNames.ApiAppId);
        var apiBlock = Manifests.GoDuration((string)api.PodAnnotations()["dapr.io/block-shutdown-duration"]!);
        var apiGraceful = TimeSpan.FromSeconds(long.Parse((string)api.PodAnnotations()["dapr.io/graceful-shutdown-seconds"]!, CultureInfo.InvariantCulture));
        var preStop = TimeSpan.FromSeconds(api.AppContainer().Long("lifecycle", "preStop", "sleep", "seconds") ?? 0);
        Assert.True(apiBlock >= Contract.AspNetShutdownTimeout, $"the API's sidecar blocks {apiBlock}, less than the app's {Contract.AspNetShutdownTimeout} to finish requests");
        Assert.True(preStop + apiBlock + apiGraceful < TimeSpan.FromSeconds(api.Root.Long("spec", "template", "spec", "terminationGracePeriodSeconds") ?? 30));
    }

    private static TimeSpan DrainTimeout(IReadOnlyList<YamlDoc> docs, YamlDoc deployment)
    {
        var container = deployment.AppContainer();
        var direct = container.List("env").FirstOrDefault(e => e.Str("name") == "Fraud__Detector__DrainTimeout").Str("value");
        var fromMaps = container.List("envFrom")
            .Select(e => e.Str("configMapRef", "name"))
            .Select(name => docs.OfKind("ConfigMap").FirstOrDefault(m => m.Name == name))
            .Select(m => m?.Root.Str("data", "Fraud__Detector__DrainTimeout"))
            .FirstOrDefault(v => v is not null);
        var text = direct ?? fromMaps;
        Assert.True(text is not null, "Fraud__Detector__DrainTimeout is not set; the app default is 60 s");
        return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Environment_and_config_maps_hold_only_settings_the_apps_read(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        foreach (var deployment in DaprDeployments(docs))
        {
            var container = deployment.AppContainer();
            var names = container.List("env").Select(e => e.Str("name")!).ToList();
            foreach (var mapName in container.List("envFrom").Select(e => e.Str("configMapRef", "name")).OfType<string>())
            {
                var map = docs.OfKind("ConfigMap").FirstOrDefault(m => m.Name == mapName);
                Assert.True(map is not null, $"{deployment.Id}: envFrom names a missing ConfigMap {mapName}");
                names.AddRange(map.Root.Map("data").Keys);
            }

            Assert.All(names, n => Assert.True(Contract.IsKnownAppSetting(n), $"{deployment.Id}: {n} is not a setting the apps read"));
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
            Assert.Contains("Fraud__Ledger__ConnectionString", names);
            Assert.Contains("APP_API_TOKEN", names);
            Assert.Contains("DAPR_API_TOKEN", names);
            if (deployment.Name == DaprNames.ApiAppId)
            {
                Assert.Contains(names, n => Contract.ApiKeySetting().IsMatch(n)); // the API binds beyond loopback only with keys
            }

            var values = container.List("env").Where(e => e.Str("value") is not null).ToDictionary(e => e.Str("name")!, e => e.Str("value")!);
            foreach (var (name, role) in values.Where(kv => kv.Key.Contains("__Roles__", StringComparison.Ordinal)))
            {
                Assert.True(Contract.ApiKeyRoles.Contains(role), $"{deployment.Id}: {name}={role}");
            }

            var configValues = container.List("envFrom").Select(e => e.Str("configMapRef", "name"))
                .SelectMany(n => docs.OfKind("ConfigMap").First(m => m.Name == n).Root.Map("data"))
                .ToDictionary(kv => kv.Key, kv => kv.Value as string);
            Assert.Equal(nameof(RuntimeMode.Dapr), configValues.GetValueOrDefault("Fraud__Runtime__Mode"));
            Assert.InRange(int.Parse(configValues.GetValueOrDefault("Fraud__Ledger__MaxPoolSize") ?? "20", CultureInfo.InvariantCulture), 1, 1000);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_detector_loads_its_model_from_a_volume_the_init_container_fills(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var detector = docs.Get("Deployment", DaprNames.DetectorAppId);
        var modelPath = docs.OfKind("ConfigMap").Select(m => m.Root.Str("data", "Fraud__Detector__ModelPath")).Single(p => p is not null)!;
        var mount = detector.AppContainer().List("volumeMounts").Single(m => modelPath.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
        var init = detector.InitContainers().Single();
        Assert.Contains(init.List("volumeMounts"), m => m.Str("name") == mount.Str("name"));
        Assert.Contains(modelPath, init.List("command").OfType<string>());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Images_are_the_systems_with_a_pinned_tag(string overlay)
    {
        foreach (var deployment in Rendered.Overlay(overlay).OfKind("Deployment"))
        {
            foreach (var container in deployment.Containers().Concat(deployment.InitContainers()))
            {
                var image = container.Str("image")!;
                var colon = image.LastIndexOf(':');
                Assert.True(colon > image.LastIndexOf('/'), $"{deployment.Id}: {image} has no tag");
                Assert.Contains(image[..colon], Contract.Images);
                Assert.NotEqual("latest", image[(colon + 1)..]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Autoscaled_deployments_leave_replicas_to_their_autoscaler(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var targets = docs.OfKind("HorizontalPodAutoscaler").Select(h => h.Root.Str("spec", "scaleTargetRef", "name"))
            .Concat(docs.OfKind("ScaledObject").Select(s => s.Root.Str("spec", "scaleTargetRef", "name")))
            .ToList();
        Assert.Equal(targets.Count, targets.Distinct().Count()); // one autoscaler per Deployment
        foreach (var deployment in docs.OfKind("Deployment"))
        {
            Assert.Contains(deployment.Name, targets);
            Assert.Null(deployment.Root.At("spec", "replicas"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_HPA_targets_the_API_on_metrics_that_exist(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var hpa = docs.OfKind("HorizontalPodAutoscaler").Single();
        Assert.Equal("Deployment", hpa.Root.Str("spec", "scaleTargetRef", "kind"));
        Assert.Equal(DaprNames.ApiAppId, hpa.Root.Str("spec", "scaleTargetRef", "name"));
        Assert.NotNull(docs.Find("Deployment", DaprNames.ApiAppId));
        Assert.True(hpa.Root.Long("spec", "minReplicas") <= hpa.Root.Long("spec", "maxReplicas"));

        var kinds = hpa.Root.List("spec", "metrics").Select(m => m.Str("type")).ToList();
        var resources = hpa.Root.List("spec", "metrics").Select(m => m.Str("containerResource", "name") ?? m.Str("resource", "name")).ToList();
        Assert.Contains("cpu", resources);
        Assert.Contains("memory", resources);
        Assert.Contains("Pods", kinds);

        foreach (var metric in hpa.Root.List("spec", "metrics").Where(m => m.Str("type") == "ContainerResource"))
        {
            Assert.Equal(DaprNames.ApiAppId, metric.Str("containerResource", "container"));
        }

        var adapter = Yaml.LoadFile(Repo.Path("monitoring", "prometheus-adapter-values.yaml")).Single();
        var served = adapter.Root.List("rules", "custom").Select(r => r.Str("name", "as")).ToList();
        foreach (var name in hpa.Root.List("spec", "metrics").Where(m => m.Str("type") == "Pods").Select(m => m.Str("pods", "metric", "name")))
        {
            Assert.Contains(name, served);
        }

        Assert.Contains(adapter.Root.List("rules", "custom").Select(r => r.Str("seriesQuery")), q => q!.StartsWith("http_requests_received_total", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_PDBs_and_policies_select_existing_pods(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var pods = docs.OfKind("Deployment").ToList();

        bool Selects(Dictionary<string, object?> selector, YamlDoc deployment) =>
            selector.Count > 0 && selector.All(kv => deployment.PodLabels().TryGetValue(kv.Key, out var v) && Equals(v, kv.Value));

        foreach (var deployment in pods)
        {
            Assert.True(Selects(deployment.Root.Map("spec", "selector", "matchLabels"), deployment), $"{deployment.Id}: selector does not match its own template");
        }

        foreach (var service in docs.OfKind("Service"))
        {
            var selected = pods.Where(d => Selects(service.Root.Map("spec", "selector"), d)).ToList();
            var deployment = Assert.Single(selected);
            var portNames = deployment.Containers().SelectMany(c => c.List("ports")).ToDictionary(p => p.Str("name") ?? "", p => p.Long("containerPort"));
            foreach (var port in service.Root.List("spec", "ports"))
            {
                var target = port.Str("targetPort")!;
                Assert.True(portNames.ContainsKey(target) || portNames.ContainsValue(port.Long("targetPort")), $"{service.Id}: targetPort {target} is no container port");
            }
        }

        foreach (var pdb in docs.OfKind("PodDisruptionBudget"))
        {
            Assert.Single(pods, d => Selects(pdb.Root.Map("spec", "selector", "matchLabels"), d));
        }

        foreach (var policy in docs.OfKind("NetworkPolicy"))
        {
            var selector = policy.Root.Map("spec", "podSelector", "matchLabels");
            var acmeSolver = selector.Count == 1 && selector.GetValueOrDefault("acme.cert-manager.io/http01-solver") is "true";
            Assert.True(selector.Count == 0 || acmeSolver || pods.Any(d => Selects(selector, d)), $"{policy.Id} selects no pod");
        }

        // Under default-deny, cert-manager's HTTP-01 solver must be reachable or TLS never issues.
        Assert.Contains(docs.OfKind("NetworkPolicy"), p => p.Root.Str("spec", "podSelector", "matchLabels", "acme.cert-manager.io/http01-solver") == "true"
            && p.Root.List("spec", "ingress").SelectMany(r => r.List("ports")).Any(port => port.Long("port") == 8089));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Network_policies_let_through_what_the_system_needs(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        Assert.Contains(docs.OfKind("NetworkPolicy"), p => p.Root.Map("spec", "podSelector").Count == 0 && p.Root.At("spec", "ingress") is null);

        IEnumerable<long> AllowedPorts(string appId) => docs.OfKind("NetworkPolicy")
            .Where(p => p.Root.Map("spec", "podSelector", "matchLabels").All(kv => docs.Get("Deployment", appId).PodLabels().TryGetValue(kv.Key, out var v) && Equals(v, kv.Value)))
            .SelectMany(p => p.Root.List("spec", "ingress"))
            .SelectMany(rule => rule.List("ports"))
            .Select(port => port.Long("port") ?? 0);

        foreach (var appId in Contract.AppIds)
        {
            var allowed = AllowedPorts(appId).ToHashSet();
            Assert.Contains(Contract.AppPorts[appId], allowed);          // probes from Prometheus / ingress
            Assert.Contains(Contract.SidecarInternalGrpcPort, allowed);   // sidecar to sidecar
            Assert.Contains(Contract.SidecarMetricsPort, allowed);        // sidecar metrics
        }

        var fromIngress = docs.OfKind("NetworkPolicy")
            .Where(p => p.Root.List("spec", "ingress").SelectMany(r => r.List("from")).Any(f => f.Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name") == "ingress-nginx"))
            .Select(p => p.Root.Str("spec", "podSelector", "matchLabels", "app.kubernetes.io/name"))
            .OfType<string>()
            .ToList();
        Assert.Equal([DaprNames.ApiAppId], fromIngress); // the controller reaches the API, and no other app
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void The_ingress_routes_to_the_API_with_TLS_from_an_existing_issuer(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var ingress = docs.OfKind("Ingress").Single();
        Assert.Equal("nginx", ingress.Root.Str("spec", "ingressClassName"));
        var issuer = ingress.Root.Str("metadata", "annotations", "cert-manager.io/cluster-issuer");
        Assert.NotNull(Rendered.Kustomization("k8s/cluster").Find("ClusterIssuer", issuer!));
        Assert.NotNull(ingress.Root.Str("metadata", "annotations", "nginx.ingress.kubernetes.io/limit-rps"));

        // A request the API accepts must get through the controller (nginx answers 413 beyond this).
        var bodySize = new k8s.Models.ResourceQuantity(ingress.Root.Str("metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size")!.ToUpperInvariant().Replace("M", "Mi", StringComparison.Ordinal).Replace("K", "Ki", StringComparison.Ordinal)).ToDecimal();
        Assert.True(bodySize >= new Fraud.Api.Extensions.ApiOptions().MaxBodyBytes, $"proxy-body-size {bodySize} B < the API's MaxBodyBytes");

        var tlsHosts = ingress.Root.List("spec", "tls").SelectMany(t => t.List("hosts")).OfType<string>().ToHashSet<string?>();
        foreach (var rule in ingress.Root.List("spec", "rules"))
        {
            Assert.Contains(rule.Str("host"), tlsHosts);
            foreach (var path in rule.List("http", "paths"))
            {
                var service = docs.Get("Service", path.Str("backend", "service", "name")!);
                var portName = path.Str("backend", "service", "port", "name");
                Assert.Contains(service.Root.List("spec", "ports"), p => p.Str("name") == portName);
                Assert.Equal(DaprNames.ApiAppId, service.Name);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Service_accounts_and_the_secret_reader_role_fit_the_components(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        foreach (var deployment in docs.OfKind("Deployment"))
        {
            Assert.NotNull(docs.Find("ServiceAccount", deployment.Root.Str("spec", "template", "spec", "serviceAccountName")!));
        }

        var binding = docs.OfKind("RoleBinding").Single();
        Assert.All(binding.Root.List("subjects"), s =>
        {
            Assert.NotNull(docs.Find("ServiceAccount", s.Str("name")!));
            Assert.Equal(binding.Namespace, s.Str("namespace"));
        });

        var role = docs.Get("Role", binding.Root.Str("roleRef", "name")!);
        var allowed = role.Root.List("rules").SelectMany(r => r.List("resourceNames")).OfType<string>().ToHashSet();
        var componentSecrets = Manifests.SecretReferences(docs).Where(r => r.Where.StartsWith("Component/", StringComparison.Ordinal)).Select(r => r.Secret).ToHashSet();
        Assert.Subset(allowed, componentSecrets);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Access_control_names_this_namespace_and_a_route_the_detector_serves(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var namespaceName = docs.OfKind("Namespace").Single().Name;
        Assert.All(docs.Where(d => d.Kind != "Namespace"), d => Assert.Equal(namespaceName, d.Namespace));

        var config = docs.OfKind("Configuration").Single();
        Assert.Equal("deny", config.Root.Str("spec", "accessControl", "defaultAction"));
        var policy = Assert.Single(config.Root.List("spec", "accessControl", "policies"));
        Assert.Equal(DaprNames.ApiAppId, policy.Str("appId"));
        Assert.Equal(namespaceName, policy.Str("namespace"));
        var operation = Assert.Single(policy.List("operations"));
        Assert.Equal(ServiceRoutes.Score, operation.Str("name"));
        Assert.Equal("allow", operation.Str("action"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Pod_monitors_scrape_ports_the_pods_have(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var containerPorts = docs.OfKind("Deployment").SelectMany(d => d.Containers()).SelectMany(c => c.List("ports")).Select(p => p.Str("name")).ToHashSet();
        foreach (var monitor in docs.OfKind("PodMonitor"))
        {
            Assert.Contains(docs.OfKind("Deployment"), d => monitor.Root.Map("spec", "selector", "matchLabels").All(kv => d.PodLabels().TryGetValue(kv.Key, out var v) && Equals(v, kv.Value)));
            foreach (var endpoint in monitor.Root.List("spec", "podMetricsEndpoints"))
            {
                var port = endpoint.Str("port")!;
                Assert.True(containerPorts.Contains(port) || Contract.SidecarPortNames.Contains(port), $"{monitor.Id}: port {port}");
                if (port == "http")
                {
                    Assert.Equal(ServiceRoutes.Metrics, endpoint.Str("path"));
                }
            }
        }
    }
}

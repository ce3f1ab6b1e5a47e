using System.Reflection;
using System.Text.RegularExpressions;
using Fraud.Detector;
using Fraud.Runtime;
using Fraud.Runtime.Hosting;

namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>The names the deployment shares with the services (DaprNames, ServiceRoutes) and with its tools.</summary>
public static partial class Contract
{
    public static readonly IReadOnlyDictionary<string, int> AppPorts = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [DaprNames.ApiAppId] = ServiceRoutes.ApiPort,
        [DaprNames.DetectorAppId] = DetectorNames.Port,
    };

    public static readonly string[] AppIds = [DaprNames.ApiAppId, DaprNames.DetectorAppId];

    public static readonly string[] ProbePaths = [ServiceRoutes.Live, ServiceRoutes.Ready, ServiceRoutes.Health];

    /// <summary>Which app may use which component (docs/architecture.md).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ComponentScopes = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [DaprNames.PubSub] = [DaprNames.ApiAppId, DaprNames.DetectorAppId],
        [DaprNames.AnomalyStateStore] = [DaprNames.ApiAppId, DaprNames.DetectorAppId],
        // The profile store is also the actor state store, which fraud-api's sidecar needs to host the case actors.
        [DetectorNames.ProfileStore] = [DaprNames.ApiAppId, DaprNames.DetectorAppId],
    };

    public static readonly string[] Topics =
        [DaprNames.TransactionsTopic, DaprNames.AnomaliesTopic, DaprNames.FeedbackTopic, DaprNames.TransactionsDeadLetterTopic, DaprNames.FeedbackDeadLetterTopic];

    /// <summary>Environment variables the apps read (ASP.NET Core configuration with `__`), plus the Dapr tokens.</summary>
    public static bool IsKnownAppSetting(string name) =>
        name is "Fraud__Runtime__Mode" or "Fraud__Ledger__ConnectionString" or "Fraud__Ledger__MaxPoolSize"
            or "Fraud__Detector__ModelPath" or "Fraud__Detector__DrainTimeout"
            or "ASPNETCORE_URLS" or "ASPNETCORE_ENVIRONMENT" or "APP_API_TOKEN" or "DAPR_API_TOKEN"
        || ApiKeySetting().IsMatch(name);

    public static readonly string[] ApiKeyRoles = ["ingest", "analyst", "admin"];

    public static readonly string[] RuntimeModes = [nameof(RuntimeMode.Dapr), nameof(RuntimeMode.Embedded), nameof(RuntimeMode.Auto)];

    [GeneratedRegex(@"^Fraud__Api__Keys__[0-9]+__(Name|Key|Roles__[0-9]+)$")]
    public static partial Regex ApiKeySetting();

    /// <summary>Images of the system (tags are set per overlay by kustomize `images:`).</summary>
    public static readonly string[] Images =
        ["ghcr.io/fraud-dapr/fraud-api", "ghcr.io/fraud-dapr/fraud-detector", "ghcr.io/fraud-dapr/fraud-model"];

    /// <summary>
    /// Annotation keys the Dapr sidecar injector understands (dapr/dapr pkg/injector/annotations:
    /// a misspelt key is ignored without a word).
    /// </summary>
    public static readonly HashSet<string> DaprAnnotations = new(StringComparer.Ordinal)
    {
        "dapr.io/enabled", "dapr.io/app-port", "dapr.io/config", "dapr.io/app-protocol", "dapr.io/app-ssl",
        "dapr.io/app-id", "dapr.io/enable-profiling", "dapr.io/log-level", "dapr.io/api-token-secret",
        "dapr.io/app-token-secret", "dapr.io/log-as-json", "dapr.io/app-max-concurrency", "dapr.io/enable-metrics",
        "dapr.io/metrics-port", "dapr.io/enable-debug", "dapr.io/debug-port", "dapr.io/env", "dapr.io/env-from-secret",
        "dapr.io/grpc-port", "dapr.io/internal-grpc-port", "dapr.io/sidecar-cpu-request", "dapr.io/sidecar-cpu-limit",
        "dapr.io/sidecar-memory-request", "dapr.io/sidecar-memory-limit", "dapr.io/sidecar-listen-addresses",
        "dapr.io/sidecar-liveness-probe-delay-seconds", "dapr.io/sidecar-liveness-probe-timeout-seconds",
        "dapr.io/sidecar-liveness-probe-period-seconds", "dapr.io/sidecar-liveness-probe-threshold",
        "dapr.io/sidecar-readiness-probe-delay-seconds", "dapr.io/sidecar-readiness-probe-timeout-seconds",
        "dapr.io/sidecar-readiness-probe-period-seconds", "dapr.io/sidecar-readiness-probe-threshold",
        "dapr.io/sidecar-image", "dapr.io/sidecar-seccomp-profile-type", "dapr.io/http-max-request-size",
        "dapr.io/max-body-size", "dapr.io/http-read-buffer-size", "dapr.io/read-buffer-size",
        "dapr.io/graceful-shutdown-seconds", "dapr.io/block-shutdown-duration", "dapr.io/enable-api-logging",
        "dapr.io/unix-domain-socket-path", "dapr.io/volume-mounts", "dapr.io/volume-mounts-rw",
        "dapr.io/disable-builtin-k8s-secret-store", "dapr.io/enable-app-health-check", "dapr.io/app-health-check-path",
        "dapr.io/app-health-probe-interval", "dapr.io/app-health-probe-timeout", "dapr.io/app-health-threshold",
        "dapr.io/placement-host-address", "dapr.io/scheduler-host-address", "dapr.io/pluggable-components",
        "dapr.io/pluggable-components-sockets-folder", "dapr.io/component-container",
        "dapr.io/inject-pluggable-components", "dapr.io/app-channel-address", "dapr.io/sentry-request-jwt-audiences",
    };

    /// <summary>Container port names the Dapr sidecar injector adds (pkg/injector/consts).</summary>
    public static readonly string[] SidecarPortNames = ["dapr-http", "dapr-grpc", "dapr-internal", "dapr-metrics"];

    /// <summary>The detector sets HostOptions.ShutdownTimeout to DrainTimeout plus this (DetectorExtensions).</summary>
    public static readonly TimeSpan DetectorStopMargin = TimeSpan.FromSeconds(15);

    /// <summary>ASP.NET Core's default HostOptions.ShutdownTimeout (fraud-api keeps it).</summary>
    public static readonly TimeSpan AspNetShutdownTimeout = TimeSpan.FromSeconds(30);

    public const int SidecarInternalGrpcPort = 50002;
    public const int SidecarMetricsPort = 9090;

    /// <summary>
    /// Metric names the dashboards and alerts may use beyond the system's own fraud_* metrics:
    /// prometheus-net HTTP metrics, Npgsql's pool meter (checked against a live export by
    /// EmbeddedEndToEndTests), kafka-exporter, kube-state-metrics, and the Dapr sidecars' component
    /// metrics (dapr pkg/diagnostics/component_monitoring.go: views <c>component/pubsub_ingress/bulk/event_count</c>
    /// tagged process_status and topic, <c>component/pubsub_egress/count</c> tagged success and topic,
    /// <c>component/state/count</c> and <c>/latencies</c> tagged operation and success; exported with
    /// the namespace <c>dapr</c>, '/' as '_').
    /// </summary>
    public static readonly HashSet<string> ExternalMetrics = new(StringComparer.Ordinal)
    {
        "http_requests_received_total", "http_requests_in_progress",
        "http_request_duration_seconds_bucket", "http_request_duration_seconds_sum", "http_request_duration_seconds_count",
        "npgsql_db_client_connection_count", "npgsql_db_client_connection_max",
        "kafka_consumergroup_lag",
        "kube_deployment_status_replicas", "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas", "kube_horizontalpodautoscaler_status_desired_replicas",
        "kube_horizontalpodautoscaler_spec_max_replicas", "kube_pod_status_ready",
        "dapr_component_pubsub_ingress_bulk_event_count", "dapr_component_pubsub_egress_count",
        "dapr_component_state_count", "dapr_component_state_latencies_bucket",
    };

    /// <summary>The names the services export from <c>RuntimeMetrics</c>, <c>DetectorMetrics</c> and <c>CaseMetrics</c> (histograms as their series).</summary>
    public static IReadOnlySet<string> ServiceMetrics()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fields = typeof(Fraud.Runtime.Observability.RuntimeMetrics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Concat(typeof(Fraud.Detector.Observability.DetectorMetrics).GetFields(BindingFlags.Public | BindingFlags.Static))
            .Concat(typeof(Fraud.Api.Cases.CaseMetrics).GetFields(BindingFlags.Public | BindingFlags.Static));
        foreach (var field in fields)
        {
            var collector = field.GetValue(null);
            var name = collector?.GetType().GetProperty("Name")?.GetValue(collector) as string;
            if (name is null)
            {
                continue;
            }

            if (collector!.GetType().Name.Contains("Histogram", StringComparison.Ordinal))
            {
                names.Add(name + "_bucket");
                names.Add(name + "_sum");
                names.Add(name + "_count");
            }
            else
            {
                names.Add(name);
            }
        }

        return names;
    }
}

namespace Fraud.Deploy.Tests.Infrastructure;

/// <summary>
/// Structural schemas for the custom resources and files that no offline schema package covers,
/// transcribed from their projects' CRDs and reference pages (named on each). Unknown fields are
/// errors: an API server prunes them without a word, so a typo silently drops a setting.
/// </summary>
public static class KnownShapes
{
    private static Shape Meta(bool namespaced = true) => namespaced
        ? S.Obj(("name!", S.Str), ("namespace", S.Str), ("labels", S.StrMap), ("annotations", S.StrMap))
        : S.Obj(("name!", S.Str), ("labels", S.StrMap), ("annotations", S.StrMap));

    private static Shape Root(string apiVersion, string kind, params (string, Shape)[] body) =>
        S.Obj([("apiVersion!", S.OneOf(apiVersion)), ("kind!", S.OneOf(kind)), ("metadata!", Meta()), .. body]);

    // Dapr: charts/dapr/crds/components.yaml (Component), docs.dapr.io component-schema.
    private static readonly Shape DaprMetadataItem = S.Obj(
        ("name!", S.Str),
        ("value", S.Scalar),
        ("envRef", S.Str),
        ("secretKeyRef", S.Obj(("name!", S.Str), ("key", S.Str))));

    public static readonly Shape DaprComponent = Root("dapr.io/v1alpha1", "Component",
        ("spec!", S.Obj(
            ("type!", S.Str),
            ("version!", S.Str),
            ("ignoreErrors", S.Bool),
            ("initTimeout", S.Str),
            ("metadata", S.List(DaprMetadataItem)))),
        ("auth", S.Obj(("secretStore!", S.Str))),
        ("scopes", S.StrList));

    // Dapr: docs.dapr.io operations/configuration/configuration-overview (+ invoke-allowlist).
    private static readonly Shape Pipeline = S.Obj(("handlers", S.List(S.Obj(("name!", S.Str), ("type!", S.Str)))));

    public static readonly Shape DaprConfiguration = Root("dapr.io/v1alpha1", "Configuration",
        ("spec!", S.Obj(
            ("tracing", S.Obj(
                ("samplingRate", S.Str),
                ("stdout", S.Bool),
                ("otel", S.Obj(("endpointAddress!", S.Str), ("isSecure", S.Bool), ("protocol", S.OneOf("http", "grpc")), ("headers", S.Any), ("timeout", S.Str))),
                ("zipkin", S.Obj(("endpointAddress!", S.Str))))),
            ("metrics", S.Obj(
                ("enabled", S.Bool),
                ("rules", S.Any),
                ("http", S.Obj(("increasedCardinality", S.Bool), ("pathMatching", S.StrList), ("excludeVerbs", S.Bool))),
                ("latencyDistributionBuckets", S.List(S.Int)),
                ("recordErrorCodes", S.Bool))),
            ("logging", S.Obj(("apiLogging", S.Obj(("enabled", S.Bool), ("obfuscateURLs", S.Bool), ("omitHealthChecks", S.Bool))))),
            ("httpPipeline", Pipeline),
            ("appHttpPipeline", Pipeline),
            ("secrets", S.Any),
            ("components", S.Obj(("deny", S.StrList))),
            ("features", S.List(S.Obj(("name!", S.Str), ("enabled!", S.Bool)))),
            ("api", S.Any),
            ("nameResolution", S.Any),
            ("accessControl", S.Obj(
                ("defaultAction", S.OneOf("allow", "deny")),
                ("trustDomain", S.Str),
                ("policies", S.List(S.Obj(
                    ("appId!", S.Str),
                    ("defaultAction", S.OneOf("allow", "deny")),
                    ("trustDomain", S.Str),
                    ("namespace", S.Str),
                    ("operations", S.List(S.Obj(
                        ("name!", S.Str),
                        ("httpVerb", S.StrList),
                        ("action!", S.OneOf("allow", "deny")))))))))))));

    // Dapr: docs.dapr.io operations/resiliency (overview, retries, circuit breakers, targets).
    private static readonly Shape PolicyRefs = S.Obj(("timeout", S.Str), ("retry", S.Str), ("circuitBreaker", S.Str));

    public static readonly Shape DaprResiliency = Root("dapr.io/v1alpha1", "Resiliency",
        ("scopes", S.StrList),
        ("spec!", S.Obj(
            ("policies!", S.Obj(
                ("timeouts", S.Map(S.Str)),
                ("retries", S.Map(S.Obj(
                    ("policy", S.OneOf("constant", "exponential")),
                    ("duration", S.Str),
                    ("maxInterval", S.Str),
                    ("maxRetries", S.Int),
                    ("matching", S.Obj(("httpStatusCodes", S.Str), ("gRPCStatusCodes", S.Str)))))),
                ("circuitBreakers", S.Map(S.Obj(
                    ("maxRequests", S.Int),
                    ("interval", S.Str),
                    ("timeout", S.Str),
                    ("trip", S.Str)))))),
            ("targets!", S.Obj(
                ("apps", S.Map(PolicyRefs)),
                ("actors", S.Map(S.Obj(
                    ("timeout", S.Str),
                    ("retry", S.Str),
                    ("circuitBreaker", S.Str),
                    ("circuitBreakerScope", S.OneOf("id", "type", "both")),
                    ("circuitBreakerCacheSize", S.Int)))),
                ("components", S.Map(S.Obj(("outbound", PolicyRefs), ("inbound", PolicyRefs)))))))));

    // KEDA: config/crd/bases/keda.sh_scaledobjects.yaml; keda.sh docs, concepts/scaling-deployments.
    private static readonly Shape HpaRules = S.Obj(
        ("stabilizationWindowSeconds", S.Int),
        ("selectPolicy", S.OneOf("Max", "Min", "Disabled")),
        ("tolerance", S.Scalar),
        ("policies", S.List(S.Obj(("type!", S.OneOf("Pods", "Percent")), ("value!", S.Int), ("periodSeconds!", S.Int)))));

    public static readonly Shape KedaScaledObject = Root("keda.sh/v1alpha1", "ScaledObject",
        ("spec!", S.Obj(
            ("scaleTargetRef!", S.Obj(("apiVersion", S.Str), ("kind", S.Str), ("name!", S.Str), ("envSourceContainerName", S.Str))),
            ("pollingInterval", S.Int),
            ("cooldownPeriod", S.Int),
            ("initialCooldownPeriod", S.Int),
            ("idleReplicaCount", S.Int),
            ("minReplicaCount", S.Int),
            ("maxReplicaCount", S.Int),
            ("fallback", S.Obj(("failureThreshold!", S.Int), ("replicas!", S.Int), ("behavior", S.Str))),
            ("advanced", S.Obj(
                ("restoreToOriginalReplicaCount", S.Bool),
                ("horizontalPodAutoscalerConfig", S.Obj(("name", S.Str), ("behavior", S.Obj(("scaleUp", HpaRules), ("scaleDown", HpaRules))))),
                ("scalingModifiers", S.Any))),
            ("triggers!", S.List(S.Obj(
                ("type!", S.Str),
                ("name", S.Str),
                // additionalProperties: type: string - an unquoted number is rejected.
                ("metadata!", S.Map(S.Str)),
                ("authenticationRef", S.Obj(("name!", S.Str), ("kind", S.OneOf("TriggerAuthentication", "ClusterTriggerAuthentication")))),
                ("metricType", S.OneOf("AverageValue", "Value", "Utilization")),
                ("useCachedMetrics", S.Bool)))))));

    // KEDA: config/crd/bases/keda.sh_triggerauthentications.yaml; docs concepts/authentication.
    public static readonly Shape KedaTriggerAuthentication = Root("keda.sh/v1alpha1", "TriggerAuthentication",
        ("spec!", S.Obj(
            ("secretTargetRef", S.List(S.Obj(("parameter!", S.Str), ("name!", S.Str), ("key!", S.Str)))),
            ("configMapTargetRef", S.List(S.Obj(("parameter!", S.Str), ("name!", S.Str), ("key!", S.Str)))),
            ("env", S.List(S.Obj(("parameter!", S.Str), ("name!", S.Str), ("containerName", S.Str)))),
            ("podIdentity", S.Any),
            ("boundServiceAccountToken", S.Any),
            ("hashiCorpVault", S.Any),
            ("azureKeyVault", S.Any),
            ("awsSecretManager", S.Any),
            ("gcpSecretManager", S.Any))));

    // prometheus-operator: monitoring.coreos.com_podmonitors.yaml / _prometheusrules.yaml.
    public static readonly Shape PodMonitor = Root("monitoring.coreos.com/v1", "PodMonitor",
        ("spec!", S.Obj(
            ("selector!", S.Obj(("matchLabels", S.StrMap), ("matchExpressions", S.Any))),
            ("namespaceSelector", S.Obj(("any", S.Bool), ("matchNames", S.StrList))),
            ("jobLabel", S.Str),
            ("podTargetLabels", S.StrList),
            ("sampleLimit", S.Int),
            ("podMetricsEndpoints", S.List(S.Obj(
                ("port", S.Str),
                ("portNumber", S.Int),
                ("path", S.Str),
                ("scheme", S.OneOf("http", "https", "HTTP", "HTTPS")),
                ("interval", S.Str),
                ("scrapeTimeout", S.Str),
                ("honorLabels", S.Bool),
                ("params", S.Any),
                ("relabelings", S.Any),
                ("metricRelabelings", S.Any),
                ("tlsConfig", S.Any),
                ("basicAuth", S.Any),
                ("authorization", S.Any)))))));

    public static readonly Shape PrometheusRule = Root("monitoring.coreos.com/v1", "PrometheusRule",
        ("spec!", S.Obj(
            ("groups", S.List(S.Obj(
                ("name!", S.Str),
                ("interval", S.Str),
                ("limit", S.Int),
                ("labels", S.StrMap),
                ("query_offset", S.Str),
                ("partial_response_strategy", S.Str),
                ("rules", S.List(S.Obj(
                    ("alert", S.Str),
                    ("record", S.Str),
                    ("expr!", S.Scalar),
                    ("for", S.Str),
                    ("keep_firing_for", S.Str),
                    ("labels", S.StrMap),
                    ("annotations", S.StrMap))))))))));

    // cert-manager: cert-manager.io/docs/reference/api-docs (ClusterIssuer, ACME issuer).
    public static readonly Shape ClusterIssuer = S.Obj(
        ("apiVersion!", S.OneOf("cert-manager.io/v1")),
        ("kind!", S.OneOf("ClusterIssuer")),
        ("metadata!", Meta(namespaced: false)),
        ("spec!", S.Obj(
            ("acme", S.Obj(
                ("server!", S.Str),
                ("email", S.Str),
                ("privateKeySecretRef!", S.Obj(("name!", S.Str), ("key", S.Str))),
                ("solvers", S.List(S.Obj(
                    ("http01", S.Obj(("ingress", S.Obj(
                        ("ingressClassName", S.Str),
                        ("class", S.Str),
                        ("name", S.Str),
                        ("serviceType", S.Str),
                        ("podTemplate", S.Any),
                        ("ingressTemplate", S.Any))),
                        ("gatewayHTTPRoute", S.Any))),
                    ("dns01", S.Any),
                    ("selector", S.Any)))),
                ("skipTLSVerify", S.Bool),
                ("preferredChain", S.Str),
                ("caBundle", S.Str),
                ("externalAccountBinding", S.Any),
                ("disableAccountKeyGeneration", S.Bool),
                ("enableDurationFeature", S.Bool),
                ("profile", S.Str))),
            ("ca", S.Any),
            ("selfSigned", S.Any),
            ("vault", S.Any),
            ("venafi", S.Any))));

    // Strimzi: api reference, KafkaTopic / KafkaUser (kafka.strimzi.io/v1beta2).
    public static readonly Shape KafkaTopic = Root("kafka.strimzi.io/v1beta2", "KafkaTopic",
        ("spec!", S.Obj(
            ("topicName", S.Str),
            ("partitions", S.Int),
            ("replicas", S.Int),
            ("config", S.Map(S.Scalar)))));

    public static readonly Shape KafkaUser = Root("kafka.strimzi.io/v1beta2", "KafkaUser",
        ("spec!", S.Obj(
            ("authentication", S.Obj(("type!", S.OneOf("tls", "tls-external", "scram-sha-512")), ("password", S.Any))),
            ("authorization", S.Obj(
                ("type!", S.OneOf("simple")),
                ("acls!", S.List(S.Obj(
                    ("resource!", S.Obj(
                        ("type!", S.OneOf("topic", "group", "cluster", "transactionalId")),
                        ("name", S.Str),
                        ("patternType", S.OneOf("literal", "prefix")))),
                    ("operations", S.List(S.OneOf("Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs", "DescribeConfigs", "IdempotentWrite", "All"))),
                    ("host", S.Str),
                    ("type", S.OneOf("allow", "deny"))))))),
            ("quotas", S.Any),
            ("template", S.Any))));

    /// <summary>Shapes of custom resources by "apiVersion/kind".</summary>
    public static readonly IReadOnlyDictionary<string, Shape> CustomResources = new Dictionary<string, Shape>(StringComparer.Ordinal)
    {
        ["dapr.io/v1alpha1/Component"] = DaprComponent,
        ["dapr.io/v1alpha1/Configuration"] = DaprConfiguration,
        ["dapr.io/v1alpha1/Resiliency"] = DaprResiliency,
        ["keda.sh/v1alpha1/ScaledObject"] = KedaScaledObject,
        ["keda.sh/v1alpha1/TriggerAuthentication"] = KedaTriggerAuthentication,
        ["monitoring.coreos.com/v1/PodMonitor"] = PodMonitor,
        ["monitoring.coreos.com/v1/PrometheusRule"] = PrometheusRule,
        ["cert-manager.io/v1/ClusterIssuer"] = ClusterIssuer,
        ["kafka.strimzi.io/v1beta2/KafkaTopic"] = KafkaTopic,
        ["kafka.strimzi.io/v1beta2/KafkaUser"] = KafkaUser,
    };

    // Dapr CLI: pkg/standalone/run.go (RunConfig, SharedRunConfig yaml tags) and
    // pkg/runfileconfig/run_file_config.go; docs.dapr.io multi-app-template.
    private static readonly (string, Shape)[] SharedRunConfig =
    [
        ("configFilePath", S.Str),
        ("appProtocol", S.OneOf("http", "grpc", "https", "grpcs", "h2c", "HTTP", "GRPC")),
        ("apiListenAddresses", S.Str),
        ("enableProfiling", S.Bool),
        ("logLevel", S.OneOf("debug", "info", "warn", "error", "fatal", "panic")),
        ("appMaxConcurrency", S.Int),
        ("placementHostAddress", S.Str),
        ("resourcesPath", S.Str),
        ("resourcesPaths", S.StrList),
        ("appSSL", S.Bool),
        ("maxBodySize", S.Str),
        ("readBufferSize", S.Str),
        ("enableAppHealthCheck", S.Bool),
        ("appHealthCheckPath", S.Str),
        ("appHealthProbeInterval", S.Int),
        ("appHealthProbeTimeout", S.Int),
        ("appHealthThreshold", S.Int),
        ("enableApiLogging", S.Bool),
        ("runtimePath", S.Str),
        ("env", S.Map(S.Scalar)),
        ("daprdLogDestination", S.OneOf("console", "file", "fileAndConsole")),
        ("appLogDestination", S.OneOf("console", "file", "fileAndConsole")),
        ("schedulerHostAddress", S.Str),
    ];

    public static readonly Shape DaprRunTemplate = S.Obj(
        ("version!", S.Int),
        ("name", S.Str),
        ("common", S.Obj(SharedRunConfig)),
        ("apps!", S.List(S.Obj([
            .. SharedRunConfig,
            ("appDirPath!", S.Str),
            ("appID", S.Str),
            ("appChannelAddress", S.Str),
            ("appPort", S.Int),
            ("daprHTTPPort", S.Int),
            ("daprGRPCPort", S.Int),
            ("profilePort", S.Int),
            ("command", S.StrList),
            ("metricsPort", S.Int),
            ("unixDomainSocket", S.Str),
            ("daprInternalGRPCPort", S.Int),
            ("containerImage", S.Str),
            ("containerImagePullPolicy", S.OneOf("Always", "Never", "IfNotPresent")),
            ("createService", S.Bool),
        ]))));

    // kustomize: kubectl.docs.kubernetes.io/references/kustomize/kustomization (fields used here
    // and their common neighbours; deprecated fields such as patchesStrategicMerge are rejected).
    public static readonly Shape Kustomization = S.Obj(
        ("apiVersion!", S.OneOf("kustomize.config.k8s.io/v1beta1")),
        ("kind!", S.OneOf("Kustomization")),
        ("metadata", S.Any),
        ("namespace", S.Str),
        ("namePrefix", S.Str),
        ("nameSuffix", S.Str),
        ("resources", S.StrList),
        ("components", S.StrList),
        ("labels", S.Any),
        ("commonAnnotations", S.StrMap),
        ("images", S.List(S.Obj(("name!", S.Str), ("newName", S.Str), ("newTag", S.Str), ("digest", S.Str)))),
        ("replicas", S.List(S.Obj(("name!", S.Str), ("count!", S.Int)))),
        ("patches", S.List(S.Obj(("path", S.Str), ("patch", S.Str), ("target", S.Any), ("options", S.Any)))),
        ("configMapGenerator", S.List(S.Any)),
        ("secretGenerator", S.List(S.Any)),
        ("generatorOptions", S.Any));
}

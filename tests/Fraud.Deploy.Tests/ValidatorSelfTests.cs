using Fraud.Deploy.Tests.Infrastructure;
using k8s;

namespace Fraud.Deploy.Tests;

/// <summary>The checks catch what they claim to catch: known-bad manifests fail.</summary>
public sealed class ValidatorSelfTests
{
    [Fact]
    public void A_misspelt_field_of_a_built_in_kind_fails_strict_deserialization()
    {
        const string deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: x}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
                    - name: c
                      image: i
                      livenesProbe: {httpGet: {path: /health/live, port: http}}
            """;
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(deployment, null, strict: true));
        KubernetesYaml.LoadAllFromString(deployment.Replace("livenesProbe", "livenessProbe", StringComparison.Ordinal), null, strict: true);
    }

    [Fact]
    public void An_unquoted_number_in_KEDA_trigger_metadata_fails()
    {
        const string scaledObject = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: x}
            spec:
              scaleTargetRef: {name: d}
              triggers:
                - type: kafka
                  metadata: {lagThreshold: 300000, topic: t}
            """;
        var errors = KnownShapes.KedaScaledObject.Validate(Yaml.LoadText(scaledObject, "test").Single().Root);
        Assert.Contains(errors, e => e.Contains("lagThreshold", StringComparison.Ordinal));
        Assert.Empty(KnownShapes.KedaScaledObject.Validate(Yaml.LoadText(scaledObject.Replace("300000", "\"300000\"", StringComparison.Ordinal), "test").Single().Root));
    }

    [Fact]
    public void An_unknown_field_of_a_Dapr_component_fails()
    {
        const string component = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: pubsub}
            spec:
              type: pubsub.kafka
              version: v1
              metdata: []
            """;
        Assert.Contains(KnownShapes.DaprComponent.Validate(Yaml.LoadText(component, "test").Single().Root), e => e.Contains("metdata", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        Assert.Throws<InvalidDataException>(() => Yaml.LoadText("a: 1\na: 2\n", "test"));
    }

    [Fact]
    public void Metric_names_are_read_out_of_PromQL()
    {
        var names = MonitoringTests.MetricNames("""histogram_quantile(0.99, sum by (le) (rate(fraud_detection_latency_seconds_bucket{namespace=~"$ns"}[5m]))) > 1 and on() up""").ToList();
        Assert.Equal(["fraud_detection_latency_seconds_bucket", "up"], names);
    }

    [Fact]
    public void Go_durations_parse()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), Manifests.GoDuration("1m30s"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), Manifests.GoDuration("200ms"));
        Assert.Throws<FormatException>(() => Manifests.GoDuration("70 s"));
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Detector;
using Fraud.Runtime;

namespace Fraud.Deploy.Tests;

/// <summary>The ScaledObject agrees with the Dapr Kafka component, the topics and docs/scaling.md.</summary>
public sealed partial class KedaTests
{
    public static TheoryData<string> Overlays() => new() { "dev", "prod" };

    private static object? Trigger(YamlDoc scaledObject) => scaledObject.Root.List("spec", "triggers").Single(t => t.Str("type") == "kafka");

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ScaledObject_targets_the_detector_deployment(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        foreach (var scaledObject in docs.OfKind("ScaledObject"))
        {
            var target = scaledObject.Root.At("spec", "scaleTargetRef");
            Assert.Equal("Deployment", target.Str("kind") ?? "Deployment");
            Assert.Equal("apps/v1", target.Str("apiVersion") ?? "apps/v1");
            Assert.NotNull(docs.Find("Deployment", target.Str("name")!));
            Assert.Equal(DaprNames.DetectorAppId, target.Str("name"));
        }

        Assert.Single(docs.OfKind("ScaledObject"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Kafka_trigger_reads_the_lag_Dapr_creates(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var pubsub = docs.Get("Component", DaprNames.PubSub);
        var trigger = Trigger(docs.OfKind("ScaledObject").Single());

        Assert.Equal(pubsub.MetadataValue("consumerGroup"), trigger.Str("metadata", "consumerGroup"));
        Assert.Equal(DaprNames.TransactionsTopic, trigger.Str("metadata", "topic"));
        Assert.Equal(Brokers(pubsub.MetadataValue("brokers")), Brokers(trigger.Str("metadata", "bootstrapServers")));

        // A group with no committed offset: Dapr starts at `initialOffset`, KEDA assumes `offsetResetPolicy`.
        var expectedPolicy = pubsub.MetadataValue("initialOffset") switch
        {
            "oldest" => "earliest",
            _ => "latest", // Dapr's default is newest
        };
        Assert.Equal(expectedPolicy, trigger.Str("metadata", "offsetResetPolicy") ?? "latest");
        Assert.NotEqual("true", trigger.Str("metadata", "allowIdleConsumers"));

        static string[] Brokers(string? list) => (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Kafka_trigger_authenticates_like_the_Dapr_component(string overlay)
    {
        var docs = Rendered.Overlay(overlay);
        var pubsub = docs.Get("Component", DaprNames.PubSub);
        var scaledObject = docs.OfKind("ScaledObject").Single();
        var trigger = Trigger(scaledObject);

        var daprTls = !string.Equals(pubsub.MetadataValue("disableTls"), "true", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(daprTls ? "enable" : "disable", trigger.Str("metadata", "tls") ?? "disable");

        var expectedSasl = pubsub.MetadataValue("authType") switch
        {
            "password" => pubsub.MetadataValue("saslMechanism") switch
            {
                "SHA-512" => "scram_sha512",
                "SHA-256" => "scram_sha256",
                _ => "plaintext",
            },
            "oidc" => "oauthbearer",
            _ => "none",
        };
        Assert.Equal(expectedSasl, trigger.Str("metadata", "sasl") ?? "none");
        if (expectedSasl == "none")
        {
            return;
        }

        var authName = trigger.Str("authenticationRef", "name");
        Assert.NotNull(authName);
        var auth = docs.Get("TriggerAuthentication", authName);
        var targets = auth.Root.List("spec", "secretTargetRef").ToDictionary(t => t.Str("parameter")!, t => ((string Name, string Key)?)(t.Str("name") ?? "", t.Str("key") ?? ""));
        Assert.Equal(pubsub.MetadataSecret("saslUsername"), targets.GetValueOrDefault("username"));
        Assert.Equal(pubsub.MetadataSecret("saslPassword"), targets.GetValueOrDefault("password"));
        if (pubsub.MetadataSecret("caCert") is { } ca)
        {
            Assert.Equal(ca, targets.GetValueOrDefault("ca"));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Replicas_stay_within_the_partitions_of_transactions(string overlay)
    {
        var scaledObject = Rendered.Overlay(overlay).OfKind("ScaledObject").Single();
        var min = scaledObject.Root.Long("spec", "minReplicaCount") ?? 0;
        var max = scaledObject.Root.Long("spec", "maxReplicaCount") ?? 100; // KEDA's default
        var partitions = Rendered.Kustomization("k8s/kafka").Get("KafkaTopic", DaprNames.TransactionsTopic).Root.Long("spec", "partitions");

        Assert.InRange(min, 1, max); // at least one consumer keeps committing offsets (KEDA's note on minReplicaCount 0)
        Assert.True(max <= partitions, $"maxReplicaCount {max} > {partitions} partitions: the extra consumers would sit idle");
        if (scaledObject.Root.Long("spec", "fallback", "replicas") is { } fallback)
        {
            Assert.InRange(fallback, min, max);
        }
    }

    [Fact]
    public void Every_topic_exists_with_partitions_and_the_Kafka_user_may_use_them()
    {
        var kafka = Rendered.Kustomization("k8s/kafka");
        foreach (var topic in Contract.Topics)
        {
            var doc = kafka.Get("KafkaTopic", topic);
            Assert.True(doc.Root.Long("spec", "partitions") >= 1);
        }

        var user = kafka.OfKind("KafkaUser").Single();
        var acls = user.Root.List("spec", "authorization", "acls");
        Assert.All(Contract.Topics, t => Assert.Contains(acls, a => a.Str("resource", "type") == "topic" && a.Str("resource", "name") == t));
        Assert.Contains(acls, a => a.Str("resource", "type") == "group" && a.Str("resource", "name") == DetectorNames.ConsumerGroup);
        Assert.Equal("scram-sha-512", user.Root.Str("spec", "authentication", "type"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void LagThreshold_is_the_per_pod_throughput_times_the_catch_up_target_of_docs_scaling(string overlay)
    {
        var figures = ScalingFigures();
        var trigger = Trigger(Rendered.Overlay(overlay).OfKind("ScaledObject").Single());
        var lagThreshold = long.Parse(trigger.Str("metadata", "lagThreshold")!, CultureInfo.InvariantCulture);
        Assert.Equal(figures["per-pod throughput"] * figures["catch-up target"], lagThreshold);
        Assert.Equal(figures["lagThreshold"], lagThreshold);
        Assert.Equal(figures["partitions of transactions"], Rendered.Kustomization("k8s/kafka").Get("KafkaTopic", DaprNames.TransactionsTopic).Root.Long("spec", "partitions"));
    }

    /// <summary>The "| figure | value |" table at the top of docs/scaling.md.</summary>
    internal static Dictionary<string, long> ScalingFigures()
    {
        var figures = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in FigureRow().Matches(Repo.Read("docs", "scaling.md")))
        {
            figures[m.Groups["name"].Value.Trim().ToLowerInvariant()] = long.Parse(m.Groups["value"].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }

        foreach (var key in new[] { "per-pod throughput", "catch-up target", "lagthreshold", "partitions of transactions" })
        {
            Assert.True(figures.ContainsKey(key), $"docs/scaling.md has no figure '{key}'");
        }

        figures["lagThreshold"] = figures["lagthreshold"];
        return figures;
    }

    [GeneratedRegex(@"^\|\s*(?<name>[A-Za-z][^|]*?)\s*\|\s*\*{0,2}(?<value>[0-9][0-9,]*)\*{0,2}\s*\|", RegexOptions.Multiline)]
    private static partial Regex FigureRow();
}

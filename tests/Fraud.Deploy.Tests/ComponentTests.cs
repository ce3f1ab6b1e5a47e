using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Detector;
using Fraud.Runtime;

namespace Fraud.Deploy.Tests;

/// <summary>The Dapr components, locally (components/) and in every rendered environment.</summary>
public sealed class ComponentTests
{
    public static TheoryData<string> Environments() => new() { "local", "dev", "prod" };

    private static IReadOnlyList<YamlDoc> Resources(string environment) =>
        environment == "local" ? Manifests.LocalResources() : Rendered.Overlay(environment);

    [Theory]
    [MemberData(nameof(Environments))]
    public void Pubsub_is_Kafka_with_the_detector_consumer_group(string environment)
    {
        var pubsub = Resources(environment).Get("Component", DaprNames.PubSub);
        Assert.Equal("pubsub.kafka", pubsub.Root.Str("spec", "type"));
        // dev has a group of its own (IsolationTests).
        Assert.Equal(environment == "dev" ? DetectorNames.ConsumerGroup + "-dev" : DetectorNames.ConsumerGroup, pubsub.MetadataValue("consumerGroup"));
        Assert.False(string.IsNullOrEmpty(pubsub.MetadataValue("brokers")));
        Assert.Contains(pubsub.MetadataValue("authType"), new[] { "none", "password", "mtls", "oidc", "awsiam", "certificate" });
        Assert.Contains(pubsub.MetadataValue("initialOffset"), new[] { "oldest", "newest" });
        if (pubsub.MetadataValue("authType") == "password")
        {
            Assert.NotNull(pubsub.MetadataSecret("saslPassword"));
            Assert.Contains(pubsub.MetadataValue("saslMechanism"), new[] { "SHA-512", "SHA-256", "PLAINTEXT" });
        }
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Anomaly_store_shares_keys_between_apps(string environment)
    {
        var anomalies = Resources(environment).Get("Component", DaprNames.AnomalyStateStore);
        Assert.StartsWith("state.", anomalies.Root.Str("spec", "type"), StringComparison.Ordinal);
        Assert.Equal("name", anomalies.MetadataValue("keyPrefix"));
        Assert.False(anomalies.IsActorStateStore(), "the anomaly store must not be the actor state store");
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Exactly_one_actor_state_store_and_it_is_the_profile_store(string environment)
    {
        var stores = Resources(environment).OfKind("Component").Where(c => c.IsActorStateStore()).ToList();
        var store = Assert.Single(stores);
        Assert.Equal(DetectorNames.ProfileStore, store.Name);
        Assert.Contains(store.Root.Str("spec", "type"), new[] { "state.redis", "state.postgresql" });
    }

    [Fact]
    public void Production_keeps_account_profiles_out_of_Redis()
    {
        var store = Rendered.Overlay("prod").Get("Component", DetectorNames.ProfileStore);
        Assert.Equal("state.postgresql", store.Root.Str("spec", "type"));
        Assert.Equal("v2", store.Root.Str("spec", "version"));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Component_scopes_name_existing_apps_as_the_contract_says(string environment)
    {
        foreach (var doc in Resources(environment).Where(d => d.Kind is "Component" or "Resiliency"))
        {
            Assert.NotEmpty(doc.Scopes());
            Assert.All(doc.Scopes(), s => Assert.Contains(s, Contract.AppIds));
        }

        foreach (var (component, apps) in Contract.ComponentScopes)
        {
            Assert.Equal(apps.Order(StringComparer.Ordinal), Resources(environment).Get("Component", component).Scopes().Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Secret_store_references_name_a_store_the_same_apps_can_use(string environment)
    {
        var docs = Resources(environment);
        foreach (var component in docs.OfKind("Component").Where(c => c.Root.At("auth", "secretStore") is not null))
        {
            var storeName = component.Root.Str("auth", "secretStore")!;
            if (storeName == "kubernetes" && environment != "local")
            {
                continue; // built in
            }

            var store = docs.Get("Component", storeName);
            Assert.StartsWith("secretstores.", store.Root.Str("spec", "type"), StringComparison.Ordinal);
            Assert.All(component.Scopes(), app => Assert.Contains(app, store.Scopes()));
        }

        if (environment != "local")
        {
            Assert.DoesNotContain(docs.OfKind("Component"), c => c.Root.Str("spec", "type") == "secretstores.local.file");
        }
    }

    [Fact]
    public void Local_and_cluster_pubsub_agree_on_everything_but_connection_and_auth()
    {
        var local = Manifests.LocalResources().Get("Component", DaprNames.PubSub);
        foreach (var overlay in Rendered.Overlays)
        {
            var cluster = Rendered.Overlay(overlay).Get("Component", DaprNames.PubSub);
            foreach (var setting in new[] { "initialOffset", "maxMessageBytes", "consumeRetryInterval", "consumerGroupRebalanceStrategy" })
            {
                Assert.True(local.MetadataValue(setting) == cluster.MetadataValue(setting), $"{setting}: local '{local.MetadataValue(setting)}', {overlay} '{cluster.MetadataValue(setting)}'");
            }
        }
    }

    [Fact]
    public void Local_and_cluster_resiliency_specs_are_the_same()
    {
        var local = Manifests.LocalResources().OfKind("Resiliency").Single();
        foreach (var overlay in Rendered.Overlays)
        {
            var cluster = Rendered.Overlay(overlay).OfKind("Resiliency").Single();
            Assert.Equal(Json(local.Root.At("spec")), Json(cluster.Root.At("spec")));
            Assert.Equal(local.Scopes(), cluster.Scopes());
        }

        // Key order differs after kustomize; compare canonical (sorted) JSON.
        static string Json(object? node) => System.Text.Json.JsonSerializer.Serialize(Canonical(node));
        static object? Canonical(object? node) => node switch
        {
            Dictionary<string, object?> map => new SortedDictionary<string, object?>(map.ToDictionary(kv => kv.Key, kv => Canonical(kv.Value)), StringComparer.Ordinal),
            List<object?> list => list.Select(Canonical).ToList(),
            _ => node,
        };
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Resiliency_targets_use_defined_policies_and_existing_targets(string environment)
    {
        var docs = Resources(environment);
        var resiliency = docs.OfKind("Resiliency").Single();
        var policies = resiliency.Root.Map("spec", "policies");
        var timeouts = policies.Map("timeouts").Keys.ToHashSet();
        var retries = policies.Map("retries").Keys.ToHashSet();
        var breakers = policies.Map("circuitBreakers").Keys.ToHashSet();

        void CheckRefs(object? refs, string where)
        {
            if (refs.Str("timeout") is { } t)
            {
                Assert.True(timeouts.Contains(t), $"{where}: timeout policy {t} is not defined");
                Manifests.GoDuration(policies.Str("timeouts", t)!);
            }

            if (refs.Str("retry") is { } r)
            {
                Assert.True(retries.Contains(r), $"{where}: retry policy {r} is not defined");
            }

            if (refs.Str("circuitBreaker") is { } c)
            {
                Assert.True(breakers.Contains(c), $"{where}: circuit breaker {c} is not defined");
            }
        }

        foreach (var (app, refs) in resiliency.Root.Map("spec", "targets", "apps"))
        {
            Assert.Contains(app, Contract.AppIds);
            CheckRefs(refs, $"apps.{app}");
        }

        // No actor type is registered, so a policy for one would apply to nothing.
        Assert.Empty(resiliency.Root.Map("spec", "targets", "actors"));

        foreach (var (component, refs) in resiliency.Root.Map("spec", "targets", "components"))
        {
            Assert.NotNull(docs.Find("Component", component));
            CheckRefs(refs.At("outbound"), $"components.{component}.outbound");
            CheckRefs(refs.At("inbound"), $"components.{component}.inbound");
        }

        // Deliveries are retried until they succeed: an exhausted policy without a dead letter topic
        // commits the Kafka offset, losing the transactions. Malformed entries are the app's DROP.
        var inboundRetry = resiliency.Root.Str("spec", "targets", "components", DaprNames.PubSub, "inbound", "retry");
        Assert.NotNull(inboundRetry);
        Assert.True(policies.Long("retries", inboundRetry, "maxRetries") == -1,
            $"{inboundRetry} gives up after {policies.Long("retries", inboundRetry, "maxRetries")} retries; a transient failure would then be lost");
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Durations_in_components_parse(string environment)
    {
        foreach (var component in Resources(environment).OfKind("Component"))
        {
            foreach (var name in new[] { "consumeRetryInterval", "heartbeatInterval", "sessionTimeout", "timeout", "cleanupInterval" })
            {
                if (component.MetadataValue(name) is { } value)
                {
                    Manifests.GoDuration(value);
                }
            }

            if (component.MetadataValue("ttlInSeconds") is { } ttl)
            {
                Assert.True(int.TryParse(ttl, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0, $"{component.Id} ttlInSeconds '{ttl}'");
            }
        }
    }
}

using Fraud.Deploy.Tests.Infrastructure;
using Fraud.Runtime;

namespace Fraud.Deploy.Tests;

/// <summary>
/// dev and prod never mix their data: no shared Kafka cluster (so no shared topics), consumer group
/// or Kafka user, and no shared Redis key space.
/// </summary>
public sealed class IsolationTests
{
    /// <summary>Each overlay's Kafka: the kustomization that creates its topics and user.</summary>
    public static TheoryData<string, string> Environments() => new()
    {
        { "dev", "k8s/kafka-dev" },
        { "prod", "k8s/kafka" },
    };

    [Theory]
    [MemberData(nameof(Environments))]
    public void An_environment_consumes_from_the_cluster_its_topics_and_user_are_created_on_with_a_group_that_user_may_read(string overlay, string kafkaDir)
    {
        var docs = Rendered.Overlay(overlay);
        var pubsub = docs.Get("Component", DaprNames.PubSub);
        var brokers = pubsub.MetadataValue("brokers");
        var group = pubsub.MetadataValue("consumerGroup");

        var kafka = Rendered.Kustomization(kafkaDir);
        var topic = kafka.Get("KafkaTopic", DaprNames.TransactionsTopic);
        var cluster = topic.Root.Str("metadata", "labels", "strimzi.io/cluster");
        Assert.Equal($"{cluster}-kafka-bootstrap.{topic.Root.Str("metadata", "namespace")}.svc:9093", brokers);
        Assert.All(kafka.OfKind("KafkaTopic").Concat(kafka.OfKind("KafkaUser")), d => Assert.Equal(cluster, d.Root.Str("metadata", "labels", "strimzi.io/cluster")));
        var acls = kafka.OfKind("KafkaUser").Single().Root.List("spec", "authorization", "acls");
        Assert.Equal([group], acls.Where(a => a.Str("resource", "type") == "group").Select(a => a.Str("resource", "name")));

        var trigger = docs.OfKind("ScaledObject").Single().Root.List("spec", "triggers").Single();
        Assert.Equal(brokers, trigger.Str("metadata", "bootstrapServers"));
        Assert.Equal(group, trigger.Str("metadata", "consumerGroup"));
    }

    [Fact]
    public void Dev_and_prod_share_no_kafka_cluster_consumer_group_user_or_redis_key_space()
    {
        var dev = Rendered.Overlay("dev");
        var prod = Rendered.Overlay("prod");
        Assert.NotEqual(prod.Get("Component", DaprNames.PubSub).MetadataValue("brokers"), dev.Get("Component", DaprNames.PubSub).MetadataValue("brokers"));
        Assert.NotEqual(prod.Get("Component", DaprNames.PubSub).MetadataValue("consumerGroup"), dev.Get("Component", DaprNames.PubSub).MetadataValue("consumerGroup"));
        Assert.NotEqual(
            Rendered.Kustomization("k8s/kafka").OfKind("KafkaUser").Single().Name,
            Rendered.Kustomization("k8s/kafka-dev").OfKind("KafkaUser").Single().Name);

        // A Redis key space is host, database and key prefix: no two state stores of the two
        // environments may have the same one.
        static IEnumerable<(string Store, string Space)> RedisSpaces(IReadOnlyList<YamlDoc> docs) =>
            docs.OfKind("Component")
                .Where(c => c.Root.Str("spec", "type") == "state.redis")
                .Select(c => (c.Name!, $"{c.MetadataValue("redisHost")}/db{c.MetadataValue("redisDB") ?? "0"}/{c.MetadataValue("keyPrefix") ?? "appid"}"));
        var devSpaces = RedisSpaces(dev).ToList();
        Assert.NotEmpty(devSpaces);
        foreach (var (store, space) in RedisSpaces(prod))
        {
            Assert.DoesNotContain(devSpaces, d => d.Space == space);
        }
    }
}

using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fraud.DaprSidecar;

/// <summary>
/// A resiliency retry policy as dapr/kit <c>retry.Config</c> runs it: constant (every
/// <see cref="Duration"/>) or exponential (from 500 ms, times 1.5, up to <see cref="MaxInterval"/>);
/// <see cref="MaxRetries"/> -1 retries for ever.
/// </summary>
public sealed record RetryPolicy(bool Exponential, TimeSpan Duration, TimeSpan MaxInterval, int MaxRetries)
{
    public static readonly RetryPolicy None = new(false, TimeSpan.Zero, TimeSpan.Zero, 0);

    public bool Allows(int retry) => MaxRetries < 0 || retry <= MaxRetries;

    public TimeSpan Delay(int retry) => Exponential
        ? TimeSpan.FromMilliseconds(Math.Min(MaxInterval.TotalMilliseconds, 500 * Math.Pow(1.5, retry - 1)))
        : Duration;
}

/// <summary>A state store component as the sidecar uses it.</summary>
public sealed record StateStoreSettings(string Name, string KeyPrefix, long? TtlSeconds);

/// <summary>
/// What the test sidecar takes from the repository's own Dapr files, so the tests run the
/// components, features and retry policy that a real daprd would load: state stores
/// (<c>keyPrefix</c>, <c>ttlInSeconds</c>), the pub/sub's
/// <c>consumerGroup</c> and <c>consumeRetryInterval</c>, the Configuration's features, and the
/// resiliency policy of the pub/sub's inbound deliveries.
/// </summary>
public sealed record SidecarSettings(
    IReadOnlyDictionary<string, StateStoreSettings> StateStores,
    string PubSubName,
    string ConsumerGroup,
    TimeSpan ConsumeRetryInterval,
    IReadOnlySet<string> Features,
    RetryPolicy DeliveryRetry)
{
    /// <summary>Reads <c>components/*.yaml</c> and <c>components/config/config.yaml</c> under <paramref name="repositoryRoot"/>.</summary>
    public static SidecarSettings FromRepository(string repositoryRoot)
    {
        var components = Path.Combine(repositoryRoot, "components");
        var stores = new Dictionary<string, StateStoreSettings>(StringComparer.Ordinal);
        string? pubsub = null;
        var group = string.Empty;
        var consumeRetry = TimeSpan.FromSeconds(5); // dapr/kit retry.DefaultConfig: constant 5 s
        var deliveryRetry = RetryPolicy.None;
        foreach (var file in Directory.GetFiles(components, "*.yaml"))
        {
            var root = Load(file);
            var kind = Scalar(root, "kind");
            if (kind == "Component")
            {
                var name = Scalar(root, "metadata", "name")!;
                var type = Scalar(root, "spec", "type")!;
                var metadata = Metadata(root);
                if (type.StartsWith("state.", StringComparison.Ordinal))
                {
                    stores[name] = new StateStoreSettings(
                        name,
                        metadata.GetValueOrDefault("keyPrefix", "appid"),
                        metadata.TryGetValue("ttlInSeconds", out var ttl) ? long.Parse(ttl, CultureInfo.InvariantCulture) : null);
                }
                else if (type.StartsWith("pubsub.", StringComparison.Ordinal))
                {
                    pubsub = name;
                    group = metadata.GetValueOrDefault("consumerGroup", string.Empty);
                    if (metadata.TryGetValue("consumeRetryInterval", out var interval))
                    {
                        consumeRetry = Duration(interval);
                    }
                }
            }
            else if (kind == "Resiliency")
            {
                deliveryRetry = InboundRetry(root);
            }
        }

        var features = new HashSet<string>(StringComparer.Ordinal);
        var config = Load(Path.Combine(components, "config", "config.yaml"));
        if (Node(config, "spec", "features") is YamlSequenceNode list)
        {
            foreach (var feature in list.Children.OfType<YamlMappingNode>())
            {
                if (Scalar(feature, "enabled") == "true")
                {
                    features.Add(Scalar(feature, "name")!);
                }
            }
        }

        return new SidecarSettings(
            stores,
            pubsub ?? throw new InvalidOperationException($"no pub/sub component in {components}"),
            group,
            consumeRetry,
            features,
            deliveryRetry);
    }

    // The retry policy named by targets.components.<component>.inbound.retry.
    private static RetryPolicy InboundRetry(YamlMappingNode root)
    {
        if (Node(root, "spec", "targets", "components") is YamlMappingNode targets)
        {
            foreach (var (_, target) in targets.Children)
            {
                if (Scalar(target, "inbound", "retry") is { } policyName
                    && Node(root, "spec", "policies", "retries", policyName) is YamlMappingNode policy)
                {
                    return new RetryPolicy(
                        Scalar(policy, "policy") == "exponential",
                        Scalar(policy, "duration") is { } d ? Duration(d) : TimeSpan.FromSeconds(5),
                        Scalar(policy, "maxInterval") is { } i ? Duration(i) : TimeSpan.FromSeconds(60),
                        Scalar(policy, "maxRetries") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : -1);
                }
            }
        }

        return RetryPolicy.None;
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static Dictionary<string, string> Metadata(YamlMappingNode root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Node(root, "spec", "metadata") is YamlSequenceNode items)
        {
            foreach (var item in items.Children.OfType<YamlMappingNode>())
            {
                if (Scalar(item, "name") is { } name && Scalar(item, "value") is { } value)
                {
                    result[name] = value;
                }
            }
        }

        return result;
    }

    private static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var name in path)
        {
            if (node is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(name), out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private static string? Scalar(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    // Go durations as the components write them: 200ms, 5s, 1m.
    private static TimeSpan Duration(string text) => text switch
    {
        _ when text.EndsWith("ms", StringComparison.Ordinal) => TimeSpan.FromMilliseconds(double.Parse(text[..^2], CultureInfo.InvariantCulture)),
        _ when text.EndsWith('s') => TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        _ when text.EndsWith('m') => TimeSpan.FromMinutes(double.Parse(text[..^1], CultureInfo.InvariantCulture)),
        _ => throw new FormatException($"not a duration: {text}"),
    };
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fraud.DaprSidecar.Actors;

/// <summary>One hosted actor type's settings, after the per-type overrides (<c>entitiesConfig</c>).</summary>
public sealed record ActorTypeSettings(string ActorType, TimeSpan IdleTimeout, bool ReentrancyEnabled, int MaxStackDepth);

/// <summary>
/// What daprd takes from the app's <c>GET /dapr/config</c> (dapr pkg/config/app_configuration.go,
/// <c>ApplicationConfig</c>; read once at start-up by pkg/runtime/runtime.go <c>loadAppConfiguration</c>)
/// and how it turns it into hosted actor types (pkg/actors/actors.go <c>RegisterHosted</c>):
/// <c>entities</c> are the hosted types; <c>actorIdleTimeout</c> (default 60m) and
/// <c>drainOngoingCallTimeout</c> (default 60s) are Go durations whose parse error fails the whole
/// registration ("failed to parse default actor idle timeout"), so no type is hosted;
/// <c>reentrancy</c> (<c>maxStackDepth</c> default 32); <c>entitiesConfig</c> replaces the idle
/// timeout and reentrancy of the types it lists. <c>drainRebalancedActors</c> is kept as given.
/// </summary>
public sealed record ActorHostConfig(
    IReadOnlyList<string> Entities,
    TimeSpan IdleTimeout,
    TimeSpan DrainOngoingCallTimeout,
    bool? DrainRebalancedActors,
    bool ReentrancyEnabled,
    int MaxStackDepth,
    IReadOnlyDictionary<string, ActorTypeSettings> Types,
    string Json)
{
    // pkg/actors/api: DefaultIdleTimeout, DefaultOngoingCallTimeout, DefaultReentrancyStackLimit.
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(60);
    public static readonly TimeSpan DefaultDrainOngoingCallTimeout = TimeSpan.FromSeconds(60);
    public const int DefaultReentrancyStackLimit = 32;

    /// <summary>
    /// Parses the body of a 200 answer. Null when daprd would host nothing from it: Go's JSON decoding
    /// failed (pkg/channel/http/http_channel.go <c>GetAppConfig</c> returns the error and
    /// <c>loadAppConfiguration</c> drops it) or <c>RegisterHosted</c> rejects a duration.
    /// Keys match case-insensitively, as encoding/json does.
    /// </summary>
    public static ActorHostConfig? Parse(string json, out string? error)
    {
        error = null;
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            error = e.Message;
            return null;
        }

        try
        {
            var entities = Strings(Get(root, "entities"));
            var idle = Duration(Get(root, "actorIdleTimeout"), DefaultIdleTimeout, "failed to parse default actor idle timeout");
            var drain = Duration(Get(root, "drainOngoingCallTimeout"), DefaultDrainOngoingCallTimeout, "failed to parse drain ongoing call timeout");
            var (reentrant, depth) = Reentrancy(Get(root, "reentrancy"));
            var types = entities.Distinct(StringComparer.Ordinal).ToDictionary(
                t => t, t => new ActorTypeSettings(t, idle, reentrant, depth), StringComparer.Ordinal);

            // pkg/actors/api/config.go TranslateEntityConfig: an entry's own idle timeout (60m when
            // absent or invalid, not the app-wide one) and reentrancy, for the listed types that are
            // hosted (others are only logged).
            if (Get(root, "entitiesConfig") is JsonArray configs)
            {
                foreach (var entry in configs.OfType<JsonObject>())
                {
                    var entryIdle = Get(entry, "actorIdleTimeout")?.GetValue<string>() is { Length: > 0 } text && DaprTime.TryParseGoDuration(text, out var parsed)
                        ? parsed
                        : DefaultIdleTimeout;
                    var (entryReentrant, entryDepth) = Reentrancy(Get(entry, "reentrancy"));
                    foreach (var type in Strings(Get(entry, "entities")).Where(types.ContainsKey))
                    {
                        types[type] = new ActorTypeSettings(type, entryIdle, entryReentrant, entryDepth);
                    }
                }
            }

            var drainRebalanced = Get(root, "drainRebalancedActors") is JsonValue v && v.TryGetValue<bool>(out var b) ? b : (bool?)null;
            return new ActorHostConfig(entities, idle, drain, drainRebalanced, reentrant, depth, types, json);
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
        catch (InvalidOperationException e)
        {
            error = e.Message; // a value of the wrong JSON type: encoding/json fails the decode
            return null;
        }
    }

    public ActorTypeSettings? For(string actorType) => Types.GetValueOrDefault(actorType);

    private static JsonNode? Get(JsonObject obj, string name) =>
        obj.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n!.GetValue<string>())] : [];

    private static TimeSpan Duration(JsonNode? node, TimeSpan fallback, string error)
    {
        var text = node?.GetValue<string>();
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return DaprTime.TryParseGoDuration(text, out var duration) ? duration : throw new FormatException($"{error}: time: invalid duration \"{text}\"");
    }

    private static (bool Enabled, int MaxStackDepth) Reentrancy(JsonNode? node)
    {
        if (node is not JsonObject reentrancy)
        {
            return (false, DefaultReentrancyStackLimit);
        }

        var enabled = Get(reentrancy, "enabled")?.GetValue<bool>() ?? false;
        var depth = Get(reentrancy, "maxStackDepth")?.GetValue<int>() ?? DefaultReentrancyStackLimit;
        return (enabled, depth);
    }
}

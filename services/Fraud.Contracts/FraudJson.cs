using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fraud.Contracts;

/// <summary>
/// The one JSON shape of the events: camelCase members, snake_case enum values, nulls omitted.
/// Source-generated so the hot path does no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<Channel>),
        typeof(SnakeCaseEnumConverter<Severity>),
        typeof(SnakeCaseEnumConverter<AnomalyStatus>),
    ])]
[JsonSerializable(typeof(Transaction))]
[JsonSerializable(typeof(Transaction[]))]
[JsonSerializable(typeof(List<Transaction>))]
[JsonSerializable(typeof(ScoredTransaction))]
[JsonSerializable(typeof(Anomaly))]
[JsonSerializable(typeof(List<Anomaly>))]
[JsonSerializable(typeof(Reason))]
[JsonSerializable(typeof(FraudLabel))]
[JsonSerializable(typeof(Verdict))]
public sealed partial class FraudJsonContext : JsonSerializerContext;

/// <summary>Enum values as snake_case strings (<c>card_present</c>, <c>confirmed_fraud</c>).</summary>
public sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;

/// <summary>Shared serializer options for code that cannot use the source-generated context directly.</summary>
public static class FraudJson
{
    public static JsonSerializerOptions Options => FraudJsonContext.Default.Options;
}

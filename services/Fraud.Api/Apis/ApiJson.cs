using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Contracts;

namespace Fraud.Api.Apis;

/// <summary>The API's own request and response bodies.</summary>
public sealed record IngestResponse(int Accepted);

public sealed record AnomalyListResponse(IReadOnlyList<Anomaly> Items, string? NextCursor);

/// <summary>An analyst's review: the new status, an optional note, and who reviews (default: the API key's name).</summary>
public sealed record ReviewRequest(AnomalyStatus? Status, string? Note, string? ReviewedBy);

/// <summary><see cref="ModelVersion"/> is the version that scored most of the window's transactions.</summary>
public sealed record StatsResponse(
    DateTimeOffset From,
    DateTimeOffset To,
    long Transactions,
    long Anomalies,
    double TransactionsPerSecond,
    IReadOnlyDictionary<string, long> BySeverity,
    IReadOnlyDictionary<string, long> ByStatus,
    IReadOnlyDictionary<string, long> ByModelVersion,
    string? ModelVersion);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<Channel>),
        typeof(SnakeCaseEnumConverter<Severity>),
        typeof(SnakeCaseEnumConverter<AnomalyStatus>),
    ])]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(AnomalyListResponse))]
[JsonSerializable(typeof(ReviewRequest))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(Anomaly))]
[JsonSerializable(typeof(ScoredTransaction))]
public sealed partial class ApiJsonContext : JsonSerializerContext;

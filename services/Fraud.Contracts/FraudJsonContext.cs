using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Contracts.Api;

namespace Fraud.Contracts;

/// <summary>
/// The one JSON shape of the events and of the API's bodies: camelCase members, snake_case enum
/// values, nulls omitted. Source-generated so the hot path does no reflection.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<Channel>),
        typeof(SnakeCaseEnumConverter<Severity>),
        typeof(SnakeCaseEnumConverter<AnomalyStatus>),
        typeof(SnakeCaseEnumConverter<CaseStatus>),
        typeof(SnakeCaseEnumConverter<CaseEventKind>),
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
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(FieldError))]
[JsonSerializable(typeof(List<Reason>))]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(AnomalyListResponse))]
[JsonSerializable(typeof(ReviewRequest))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(Case))]
[JsonSerializable(typeof(CaseEvent))]
[JsonSerializable(typeof(CaseListResponse))]
[JsonSerializable(typeof(CaseDetail))]
[JsonSerializable(typeof(CaseTimeline))]
[JsonSerializable(typeof(CaseActionResponse))]
[JsonSerializable(typeof(AssignRequest))]
[JsonSerializable(typeof(CaseVerdictRequest))]
[JsonSerializable(typeof(CaseNoteRequest))]
[JsonSerializable(typeof(BulkCaseRequest))]
[JsonSerializable(typeof(BulkCaseResponse))]
public sealed partial class FraudJsonContext : JsonSerializerContext;

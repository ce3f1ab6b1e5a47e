using System.Text.Json;
using System.Text.Json.Serialization;
using Fraud.Contracts;
using Fraud.Runtime.Messaging;
using Fraud.Runtime.Scoring;

namespace Fraud.Runtime;

/// <summary>JSON of the runtime's own messages, in the same shape as <see cref="FraudJsonContext"/>.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(SnakeCaseEnumConverter<Channel>),
        typeof(SnakeCaseEnumConverter<Severity>),
        typeof(SnakeCaseEnumConverter<AnomalyStatus>),
    ])]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(DeadLetter))]
[JsonSerializable(typeof(FieldError))]
[JsonSerializable(typeof(List<Reason>))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;

/// <summary>Serializer options that know every event of the system: the DaprClient's, and the services'.</summary>
public static class RuntimeJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(FraudJsonContext.Default.Options)
        {
            TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
                FraudJsonContext.Default, RuntimeJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}

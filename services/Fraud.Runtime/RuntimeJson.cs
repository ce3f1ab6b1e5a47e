using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fraud.Contracts;

namespace Fraud.Runtime;

/// <summary>
/// Serializer options for what takes options rather than a context (the DaprClient, actor proxies):
/// <see cref="FraudJsonContext"/>'s shape, falling back to reflection for the Dapr SDK's own types.
/// </summary>
public static class RuntimeJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(FraudJsonContext.Default.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(FraudJsonContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}

namespace Fraud.Runtime;

/// <summary>Section <c>Fraud:Runtime</c>.</summary>
public sealed class RuntimeOptions
{
    public const string Section = "Fraud:Runtime";

    public RuntimeMode Mode { get; set; } = RuntimeMode.Auto;

    /// <summary>The mode in effect: <see cref="RuntimeMode.Auto"/> resolved from the environment Dapr sets.</summary>
    public RuntimeMode Resolve(Func<string, string?> environment) => Mode switch
    {
        RuntimeMode.Auto => !string.IsNullOrEmpty(environment("DAPR_HTTP_PORT")) || !string.IsNullOrEmpty(environment("DAPR_GRPC_PORT"))
            ? RuntimeMode.Dapr
            : RuntimeMode.Embedded,
        _ => Mode,
    };
}

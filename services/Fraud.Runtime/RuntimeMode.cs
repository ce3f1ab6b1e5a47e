namespace Fraud.Runtime;

/// <summary>Where side effects go: through a Dapr sidecar, or to in-process implementations.</summary>
public enum RuntimeMode
{
    /// <summary>Dapr when the app was started by Dapr (DAPR_HTTP_PORT or DAPR_GRPC_PORT set), embedded otherwise.</summary>
    Auto,
    Embedded,
    Dapr,
}

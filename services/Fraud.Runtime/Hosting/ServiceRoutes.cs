namespace Fraud.Runtime.Hosting;

/// <summary>
/// Routes and ports that probes, Dapr, Prometheus and the manifests depend on. The deployment
/// tests check the manifests against the routes the apps really map.
/// </summary>
public static class ServiceRoutes
{
    public const string Live = "/health/live";
    public const string Ready = "/health/ready";
    public const string Health = "/health";
    public const string Metrics = "/metrics";

    /// <summary>Port of fraud-api in a container and in <c>dapr run -f .</c>.</summary>
    public const int ApiPort = 8080;

    /// <summary>fraud-detector's synchronous scoring, called by fraud-api through Dapr service invocation.</summary>
    public const string Score = "/score";
}

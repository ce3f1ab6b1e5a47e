namespace Fraud.Runtime.Anomalies;

/// <summary>Section <c>Fraud:Anomalies</c>: how long and how many anomalies the state keeps.</summary>
public sealed class AnomalyStateOptions
{
    public const string Section = "Fraud:Anomalies";

    /// <summary>Written as <c>ttlInSeconds</c> on every state item (Dapr) and the buffer's TTL (embedded).</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most anomalies the embedded buffer holds; the oldest is evicted beyond it.</summary>
    public int MaxSize { get; set; } = 10_000;
}

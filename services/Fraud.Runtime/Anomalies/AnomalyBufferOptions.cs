namespace Fraud.Runtime.Anomalies;

/// <summary>Bounds of the recent-anomalies buffer; bound from configuration, checked by <see cref="Validate"/>.</summary>
public sealed class AnomalyBufferOptions
{
    /// <summary>Most anomalies kept; adding one more evicts the oldest.</summary>
    public int MaxSize { get; set; } = 10_000;

    /// <summary>How long an anomaly is kept after it was added.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(1);

    /// <exception cref="ArgumentOutOfRangeException">An option is zero or negative; the exception names it.</exception>
    public void Validate()
    {
        if (MaxSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, "AnomalyBufferOptions.MaxSize must be positive.");
        }

        if (Ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Ttl), Ttl, "AnomalyBufferOptions.Ttl must be positive.");
        }
    }
}

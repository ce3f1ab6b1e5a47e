using System.Globalization;

namespace Fraud.LoadTest;

/// <summary>Latency samples in milliseconds and their percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _samples = [];

    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (_samples)
        {
            _samples.Add(milliseconds);
        }
    }

    public string Summary()
    {
        double[] sorted;
        lock (_samples)
        {
            sorted = [.. _samples];
        }

        if (sorted.Length == 0)
        {
            return "no samples";
        }

        Array.Sort(sorted);
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"n={sorted.Length:N0} p50={At(0.50):0.00} ms p90={At(0.90):0.00} ms p99={At(0.99):0.00} ms p99.9={At(0.999):0.00} ms max={sorted[^1]:0.00} ms");
    }
}

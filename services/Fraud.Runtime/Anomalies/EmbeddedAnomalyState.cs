using Fraud.Contracts;
using Fraud.Runtime.Anomalies;
using Fraud.Runtime.Observability;
using Microsoft.Extensions.Options;

namespace Fraud.Runtime.Anomalies;

/// <summary>The embedded runtime's anomaly state: the bounded, TTL'd <see cref="AnomalyBuffer"/>.</summary>
public sealed class EmbeddedAnomalyState : IAnomalyState
{
    private readonly AnomalyBuffer _buffer;
    private long _reportedEvictions;

    public EmbeddedAnomalyState(IOptions<AnomalyStateOptions> options, TimeProvider time)
    {
        MaxSize = options.Value.MaxSize;
        _buffer = new AnomalyBuffer(new AnomalyBufferOptions { MaxSize = options.Value.MaxSize, Ttl = options.Value.Ttl }, time);
        RuntimeMetrics.AnomalyBufferCapacity.Set(MaxSize);
    }

    public int MaxSize { get; }

    public int Count => _buffer.Count;

    public long Evictions => _buffer.Evictions;

    public Task AddAsync(IReadOnlyList<Anomaly> anomalies, CancellationToken cancellationToken)
    {
        foreach (var anomaly in anomalies)
        {
            _buffer.Add(anomaly, replace: false);
        }

        ReportSize();
        return Task.CompletedTask;
    }

    public Task ReplaceAsync(Anomaly anomaly, CancellationToken cancellationToken)
    {
        _buffer.Add(anomaly);
        ReportSize();
        return Task.CompletedTask;
    }

    public Task<Anomaly?> GetAsync(string transactionId, CancellationToken cancellationToken) =>
        Task.FromResult(_buffer.TryGet(transactionId, out var anomaly) ? anomaly : null);

    private void ReportSize()
    {
        RuntimeMetrics.AnomalyBufferSize.Set(_buffer.Count);
        var evictions = _buffer.Evictions;
        var delta = evictions - Interlocked.Exchange(ref _reportedEvictions, evictions);
        if (delta > 0)
        {
            RuntimeMetrics.AnomalyBufferEvictions.Inc(delta);
        }
    }
}

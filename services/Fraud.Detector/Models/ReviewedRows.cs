using Fraud.Core.Model;

namespace Fraud.Detector.Models;

/// <summary>
/// The feature rows of this detector's recent anomalies, kept until an analyst's verdict labels
/// them, and the rows so labelled: what a supervised model learns from when no model file is
/// given. Both are rings of fixed capacity (the oldest go first), so memory is bounded. Not
/// thread-safe: <see cref="ModelHost"/> guards it.
/// </summary>
internal sealed class ReviewedRows(int capacity, int width)
{
    private readonly float[] _pendingRows = new float[capacity * width];
    private readonly string?[] _pendingIds = new string?[capacity];
    private readonly Dictionary<string, int> _pendingSlots = new(StringComparer.Ordinal);
    private readonly float[] _labelledRows = new float[capacity * width];
    private readonly bool[] _labels = new bool[capacity];
    private int _nextPending;
    private int _nextLabelled;

    public int Labelled { get; private set; }

    public int Frauds { get; private set; }

    public void Remember(string transactionId, ReadOnlySpan<float> row)
    {
        if (_pendingSlots.ContainsKey(transactionId))
        {
            return;
        }

        var slot = _nextPending;
        _nextPending = (_nextPending + 1) % capacity;
        if (_pendingIds[slot] is { } evicted)
        {
            _pendingSlots.Remove(evicted);
        }

        _pendingIds[slot] = transactionId;
        _pendingSlots[transactionId] = slot;
        row[..width].CopyTo(_pendingRows.AsSpan(slot * width, width));
    }

    /// <summary>Labels a remembered row; false when its transaction is not one of ours (or is too old).</summary>
    public bool Label(string transactionId, bool isFraud)
    {
        if (!_pendingSlots.Remove(transactionId, out var slot))
        {
            return false;
        }

        _pendingIds[slot] = null;
        var target = _nextLabelled;
        _nextLabelled = (_nextLabelled + 1) % capacity;
        if (Labelled == capacity)
        {
            Frauds -= _labels[target] ? 1 : 0;
        }
        else
        {
            Labelled++;
        }

        _pendingRows.AsSpan(slot * width, width).CopyTo(_labelledRows.AsSpan(target * width, width));
        _labels[target] = isFraud;
        Frauds += isFraud ? 1 : 0;
        return true;
    }

    public void CopyTo(TrainingSet set)
    {
        for (var i = 0; i < Labelled; i++)
        {
            set.Add(_labelledRows.AsSpan(i * width, width), _labels[i], seconds: 0);
        }
    }
}

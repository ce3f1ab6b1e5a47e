using Fraud.Core.Model;

namespace Fraud.Detector.Models;

/// <summary>
/// The feature rows of this detector's recent anomalies, kept until an analyst's verdict labels
/// them, and the rows so labelled: what a supervised model learns from when no model file is
/// given. Both are rings of fixed capacity (the oldest go first), so memory is bounded. A
/// transaction is labelled once: a later verdict on it changes its label. Not thread-safe:
/// <see cref="ModelHost"/> guards it.
/// </summary>
internal sealed class ReviewedRows(int capacity, int width)
{
    private readonly float[] _pendingRows = new float[capacity * width];
    private readonly string?[] _pendingIds = new string?[capacity];
    private readonly Dictionary<string, int> _pendingSlots = new(StringComparer.Ordinal);
    private readonly float[] _labelledRows = new float[capacity * width];
    private readonly string?[] _labelledIds = new string?[capacity];
    private readonly Dictionary<string, int> _labelledSlots = new(StringComparer.Ordinal);
    private readonly bool[] _labels = new bool[capacity];
    private int _nextPending;
    private int _nextLabelled;

    public int Labelled => _labelledSlots.Count;

    public int Frauds { get; private set; }

    /// <summary>Keeps an alert's row until its verdict; false when it is kept or labelled already.</summary>
    public bool Remember(string transactionId, ReadOnlySpan<float> row)
    {
        if (_pendingSlots.ContainsKey(transactionId) || _labelledSlots.ContainsKey(transactionId))
        {
            return false;
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
        return true;
    }

    public bool IsPending(string transactionId) => _pendingSlots.ContainsKey(transactionId);

    /// <summary>
    /// Labels a transaction: its remembered row, else <paramref name="kept"/> (the row another
    /// detector, or this one before a restart, kept in the ledger). False when there is neither.
    /// </summary>
    public bool Label(string transactionId, bool isFraud, ReadOnlySpan<float> kept = default)
    {
        if (_labelledSlots.TryGetValue(transactionId, out var labelled))
        {
            Frauds += (isFraud ? 1 : 0) - (_labels[labelled] ? 1 : 0);
            _labels[labelled] = isFraud;
            return true;
        }

        ReadOnlySpan<float> row;
        if (_pendingSlots.Remove(transactionId, out var slot))
        {
            _pendingIds[slot] = null;
            row = _pendingRows.AsSpan(slot * width, width);
        }
        else if (kept.Length == width)
        {
            row = kept;
        }
        else
        {
            return false;
        }

        var target = _nextLabelled;
        _nextLabelled = (_nextLabelled + 1) % capacity;
        if (_labelledIds[target] is { } evicted)
        {
            _labelledSlots.Remove(evicted);
            Frauds -= _labels[target] ? 1 : 0;
        }

        _labelledIds[target] = transactionId;
        _labelledSlots[transactionId] = target;
        row.CopyTo(_labelledRows.AsSpan(target * width, width));
        _labels[target] = isFraud;
        Frauds += isFraud ? 1 : 0;
        return true;
    }

    public void CopyTo(TrainingSet set)
    {
        for (var slot = 0; slot < capacity; slot++)
        {
            if (_labelledIds[slot] is not null)
            {
                set.Add(_labelledRows.AsSpan(slot * width, width), _labels[slot], seconds: 0);
            }
        }
    }
}

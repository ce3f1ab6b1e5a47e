using System.Collections.Concurrent;
using Fraud.Contracts;
using Fraud.Runtime.Ledger;

namespace Fraud.Detector.Detection;

/// <summary>
/// The scored copy of a transaction id that wins when the id comes again, however long after: the
/// ledger's, or, between scoring and the ledger's commit, the one this process folded into the
/// profiles (a delivery whose commit failed is redelivered, and must not be counted again). The
/// account profiles only remember an account's last 16 transactions, so without this a resent
/// batch with more for one account would be counted twice.
/// </summary>
public sealed class RecordedCopies(ILedger ledger, TimeProvider time)
{
    /// <summary>
    /// Copies held while their commit is pending or failed. A delivery given up here (its partition
    /// moved to another detector during an outage) leaves its copies behind; beyond this many, the
    /// ones held longest go.
    /// </summary>
    public const int MaxHeld = 200_000;

    private static readonly TimeSpan HeldTrimAge = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, (ScoredTransaction Copy, DateTimeOffset Since)> _held = new(StringComparer.Ordinal);

    public int Held => _held.Count;

    /// <summary>For each transaction of <paramref name="batch"/> (ids unique), the copy already scored, or null when it is new.</summary>
    public async Task<ScoredTransaction?[]> FindAsync(IReadOnlyList<Transaction> batch, CancellationToken cancellationToken)
    {
        var copies = new ScoredTransaction?[batch.Count];
        List<string>? unheld = null;
        var anyHeld = !_held.IsEmpty;
        for (var i = 0; i < batch.Count; i++)
        {
            if (anyHeld && _held.TryGetValue(batch[i].TransactionId, out var held))
            {
                copies[i] = held.Copy;
            }
            else
            {
                (unheld ??= new List<string>(batch.Count)).Add(batch[i].TransactionId);
            }
        }

        if (unheld is null)
        {
            return copies;
        }

        var recorded = await ledger.GetTransactionsAsync(unheld, cancellationToken).ConfigureAwait(false);
        if (recorded.Count > 0)
        {
            var byId = recorded.ToDictionary(r => r.TransactionId, StringComparer.Ordinal);
            for (var i = 0; i < batch.Count; i++)
            {
                copies[i] ??= byId.GetValueOrDefault(batch[i].TransactionId);
            }
        }

        return copies;
    }

    /// <summary>Holds copies just folded into the profiles until <see cref="Release"/> says the ledger has them.</summary>
    public void Hold(IEnumerable<ScoredTransaction> copies)
    {
        var now = time.GetUtcNow();
        foreach (var copy in copies)
        {
            _held[copy.TransactionId] = (copy, now);
        }

        if (_held.Count > MaxHeld)
        {
            Trim(now);
        }
    }

    public void Release(IEnumerable<ScoredTransaction> committed)
    {
        if (_held.IsEmpty)
        {
            return;
        }

        foreach (var copy in committed)
        {
            _held.TryRemove(copy.TransactionId, out _);
        }
    }

    private void Trim(DateTimeOffset now)
    {
        var old = _held.Where(p => now - p.Value.Since > HeldTrimAge).Select(p => p.Key).ToList();
        if (_held.Count - old.Count > MaxHeld)
        {
            old = [.. _held.OrderBy(p => p.Value.Since).Take(_held.Count - MaxHeld / 2).Select(p => p.Key)];
        }

        foreach (var id in old)
        {
            _held.TryRemove(id, out _);
        }
    }
}
